"""The medical-coding job board: postings, search, moderation, feeds and daily channel digests."""

"""Code search: an inverted index over the catalog and the query pipeline that ranks it."""

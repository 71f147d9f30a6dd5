"""CodeDesk's benchmarks: scripts that print numbers (not packaged, like tests/; they may use tests/fakes).

Run one with `codedesk bench <target>` from a source checkout, `python -m bench.<target>` from the
checkout's root, or all of them with `make bench`. Each module's `main(argv)` parses the same options
as its `codedesk bench` target (the options are declared once, in bots/commands/)."""

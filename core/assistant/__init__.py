"""The assistant: free text answered offline — intents, guideline notes, and codes from a case."""

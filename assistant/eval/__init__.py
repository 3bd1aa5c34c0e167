"""The assistant's evaluation: scripted conversations in vi, th and en (conversations/*.json),
run through each engine against a seeded catalogue: `python -m assistant.eval`."""

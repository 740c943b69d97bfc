"""Grading one answer: the statement check, the sandbox, the values a result holds,
comparison, explanation and the verdict."""

"""From ranked passages to an answer: verbatim quotes, citations, section links, next questions."""

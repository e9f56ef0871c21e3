"""The browser app: the chat, its cards, the section view, the HTTP surface, feedback.

Importing any of it first closes the ways out of the machine (below), before gradio or the
Hugging Face hub client it imports is read.
"""

import os

# Before gradio (and the Hugging Face hub client it imports) is read: nothing leaves the
# machine, whatever the environment says. Forced, not defaulted: a GRADIO_RUN_HISTORY=True
# or a hub token in the server's environment must not open a way out. Run history would
# upload each question and answer to a hub bucket named by a request header
# (x-gradio-history-bucket) whenever a token is at hand; offline mode makes any hub call
# fail before it connects.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["GRADIO_TELEMETRY_ENABLED"] = "False"
os.environ["GRADIO_RUN_HISTORY"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.pop("HF_TOKEN", None)
os.environ.pop("HUGGING_FACE_HUB_TOKEN", None)
os.environ.pop("GRADIO_HISTORY_BUCKET", None)

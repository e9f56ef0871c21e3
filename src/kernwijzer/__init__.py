"""Kernwijzer: answers about Dutch general-practice policy, quoted from a fixed corpus.

Nothing phones home. ONNX Runtime (from 1.29, also on Linux) sends usage events to
Microsoft unless told not to before it starts; the flag is set here, on the package's first
import, because chromadb may load ONNX Runtime before Kernwijzer's own code does. The two
names are the one its pull request #27379 introduced and the one #29843 made a full opt-out.
"""

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"
os.environ["ORT_TELEMETRY_DISABLED"] = "1"

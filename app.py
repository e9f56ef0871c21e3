"""Start the Kernwijzer browser app (the embedded index; built first if missing)."""

from kernwijzer.config import load_settings
from kernwijzer.ui import serve

if __name__ == "__main__":
    serve(load_settings())

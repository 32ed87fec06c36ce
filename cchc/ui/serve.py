"""Start the dashboard: `python -m cchc.ui.serve [streamlit options]` (what `make run` does).

Same as `streamlit run app.py`, with one fix: Streamlit treats a folder named `pages/` beside the
entry script as an old-style (v1) multipage app until the first session has called
st.navigation, so the first visitor after a server start who opens a deep link
(/ho-so?unit=...) gets a "Page not found" dialog and the overview. This app always uses
st.navigation, so we tell Streamlit so before the first session starts.
"""
from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent.parent / "app.py"


def main(argv: list[str]) -> None:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), "--browser.gatherUsageStats", "false", *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])

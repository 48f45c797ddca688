"""Commands that build outputs for meetings from views and exports: `python -m indicators report`
(the meeting pack). They sit above export/ and views/ and are added to the engine's command line
by indicators/__main__.py."""

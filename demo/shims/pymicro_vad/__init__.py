"""Stand-in for pymicro-vad, on the demo's Home Assistant import path only.

Home Assistant always sets up voice (assist_pipeline), which imports
``pymicro_vad`` and ``pyspeex_noise`` when it loads. The versions it pins
(pymicro-vad 1.0.1, pyspeex-noise 1.0.2) ship no wheel for Python 3.14, only
C++ sources to build, and without them the frontend's list of actions fails to
load, so the UI never gets past "Loading". The demo has no microphone: no audio
ever reaches these classes. ``demo.hass`` appends ``demo/shims/`` to
``sys.path``, so an installed module always wins over its stand-in.
"""


class MicroVad:
    """A voice activity detector that never hears speech."""

    def Process10ms(self, audio: bytes) -> float:  # noqa: N802 - upstream's name
        """Return the probability that 10 ms of audio hold speech: none."""
        return 0.0

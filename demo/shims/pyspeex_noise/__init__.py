"""Stand-in for pyspeex-noise, on the demo's Home Assistant import path only.

Why it exists: see ``demo/shims/pymicro_vad``.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessedAudioChunk:
    """Audio after processing: here, as it came."""

    audio: bytes


class AudioProcessor:
    """Noise suppression and auto gain that leave the audio untouched."""

    def __init__(self, auto_gain: int, noise_suppression: int) -> None:
        """Accept upstream's settings; nothing uses them."""
        self.auto_gain = auto_gain
        self.noise_suppression = noise_suppression

    def Process10ms(self, audio: bytes) -> ProcessedAudioChunk:  # noqa: N802 - upstream's name
        """Return 10 ms of audio unchanged."""
        return ProcessedAudioChunk(audio)

"""IMU encoders, projection heads and the WearClip model."""

from ..config.model import WearClipConfig
from .heads import ProjectionHead
from .imu import ConvEncoder, build_imu_encoder, imu_encoders
from .wearclip import WearClip

__all__ = ["ConvEncoder", "ProjectionHead", "WearClip", "WearClipConfig", "build_imu_encoder", "imu_encoders"]

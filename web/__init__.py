"""The web mirror: Flask app factory, frame hub and MJPEG stream."""

"""The matching core: evidence levels, settings, and (moving here) normalize → index →
compare → score → explain. Nothing in it knows about bookings, files or the generator."""

"""A Teltonika device for tests and demos: Codec 8/8E packets (`encode`) and a sender CLI (`send`)."""

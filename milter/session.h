/* session.h - placeholder */

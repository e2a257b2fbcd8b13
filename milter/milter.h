/* milter.h - placeholder */

#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Regenerate the build system (configure, Makefile.in, build-aux/).
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi

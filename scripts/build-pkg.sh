#!/usr/bin/env bash
# Placeholder until the npm package lands (issue 4): nothing to build yet.
exit 0

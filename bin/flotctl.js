#!/usr/bin/env node
// flotctl as one bundled file (scripts/bundle.mjs, part of every build): it starts in half the time of the
// ~200 modules under dist/cli/flotctl it is made of
import '../dist/bundle/flotctl.mjs';

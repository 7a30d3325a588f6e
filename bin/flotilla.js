#!/usr/bin/env node
// flotilla (every component) as one bundled file (scripts/bundle.mjs, part of every build): each component's process
// starts faster than from the ~500 modules under dist/ it is made of
import '../dist/bundle/flotilla.mjs';

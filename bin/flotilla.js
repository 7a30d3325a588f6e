#!/usr/bin/env node
import '../dist/cli/flotilla.js';

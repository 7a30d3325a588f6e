#!/usr/bin/env node
import '../dist/cli/flotctl/main.js';

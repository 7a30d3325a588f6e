export * from './labels.js';
export * from './fields.js';

// Helpers of the threads suites.
export { expectCode } from '../oracle.js';

export { errorCatalogue, SetlistError } from './errors.js';

export * from './schema';
export { parseLab, validateLab, formatIssue, formatPath, type LabIssue, type ParseResult } from './parse';
export { migrate, MIGRATIONS, type Migration } from './migrate';
export { labJsonSchema } from './json-schema';
export { serializeLab } from './serialize';
export { labShapeIssues, labShapeSchema } from './shape';

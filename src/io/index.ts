// Paged views and record serializers.
export { DataOutputView } from './output-view.js';
export { DataInputView } from './input-view.js';
export { ManagerPageSource, ListPageSource, type PageSource } from './page-source.js';
export { RecordSerializer } from './serializer.js';
export type { Field, FieldOptions, FieldSpec, FieldType, FieldValue, FieldValues, RecordOf, RecordTypeSpec } from './record-type.js';

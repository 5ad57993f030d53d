// @fmwiss/message-codecs: the contracts' messages (Tensor, Image, ClassMap, LabelMap) to and from
// in-memory arrays, refusing malformed ones with INVALID_ARGUMENT and a message naming the field.
export * from './tensor-message';
export * from './image-message';
export * from './class-map-message';
export * from './label-map-message';

export { ClipModels, type DenseEmbeddings } from './clip-models';
export { VitAttentionModel, type ImageAttention } from './vit-model';

// The kit's own protocol files for server reflection: the grpc.reflection.{v1,v1alpha} service
// definitions to register, and the FileDescriptorProtos of the services every server carries
// (grpc.health.v1.Health and the two reflection services), so reflection describes them too.
// @grpc/reflection is used only for the reflection .proto files it ships, not for its implementation.
import { dirname, join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { loadSync as loadPackageDefinition } from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';
import {
  FileDescriptorProto,
  FileDescriptorSet,
  type IDescriptorProto,
  type IFieldDescriptorProto,
  type IFileDescriptorProto,
  type IFileDescriptorSet,
} from 'protobufjs/ext/descriptor';
import { HEALTH_PROTO_PATH } from './health';

export const REFLECTION_VERSIONS = ['v1', 'v1alpha'] as const;
export type ReflectionVersion = (typeof REFLECTION_VERSIONS)[number];

const REFLECTION_PROTO_ROOT = join(dirname(require.resolve('@grpc/reflection')), '../proto');
const reflectionProtoFile = (version: ReflectionVersion) => `grpc/reflection/${version}/reflection.proto`;

/** The grpc.reflection.<version>.ServerReflection service definition (proto-loader, camelCase fields, oneofs named). */
export function reflectionServiceDefinition(version: ReflectionVersion): grpc.ServiceDefinition {
  const definition = loadPackageDefinition(reflectionProtoFile(version), { includeDirs: [REFLECTION_PROTO_ROOT], oneofs: true });
  return definition[`grpc.reflection.${version}.ServerReflection`] as unknown as grpc.ServiceDefinition;
}

/** protoc's name for the entry type of map field `fieldName`: foo_bar → FooBarEntry. */
export function mapEntryName(fieldName: string): string {
  return `${fieldName.replace(/(?:^|_)([a-z]?)/g, (_match, letter: string) => letter.toUpperCase())}Entry`;
}

/** The fully-qualified name (leading dot) of the type `name` refers to from `scope`. */
function qualify(scope: protobuf.Namespace, name: string): string {
  if (name.startsWith('.')) return name;
  const target = scope.lookup(name);
  if (!target) throw new Error(`reflection: type ${name} not found from ${scope.fullName}`);
  return target.fullName;
}

/**
 * protobufjs writes type names relative to their scope and names map entries after the field alone;
 * protoc writes `.pkg.Type` and `FieldNameEntry`. Rewrite `message` (the type `type`) protoc's way,
 * so strict clients (grpcurl, protodesc) accept the file.
 */
function qualifyMessage(type: protobuf.Type, message: IDescriptorProto): void {
  const mapEntries = new Map((message.nestedType ?? []).filter((nested) => nested.options?.mapEntry).map((entry) => [entry.name, entry]));
  const qualifyFields = (fields: IFieldDescriptorProto[] | undefined) => {
    for (const field of fields ?? []) if (field.typeName) field.typeName = qualify(type, field.typeName);
  };
  for (const field of message.field ?? []) {
    const entry = field.typeName ? mapEntries.get(field.typeName) : undefined;
    if (entry) {
      entry.name = mapEntryName(field.name ?? '');
      field.typeName = `${type.fullName}.${entry.name}`;
      qualifyFields(entry.field);
    } else if (field.typeName) {
      field.typeName = qualify(type, field.typeName);
    }
  }
  for (const nested of message.nestedType ?? []) {
    if (!nested.options?.mapEntry) qualifyMessage(type.lookupType(nested.name ?? ''), nested);
  }
}

type DescribableRoot = protobuf.Root & { toDescriptor(syntax: 'proto3'): protobuf.Message };

/** The FileDescriptorProto (serialized, no source info) of the one-file proto at `path`, named `name`. */
export function describeProtoFile(path: string, name: string): Buffer {
  const root = new protobuf.Root().loadSync(path, { keepCase: true }).resolveAll() as DescribableRoot;
  const set = FileDescriptorSet.toObject(root.toDescriptor('proto3')) as IFileDescriptorSet;
  const [file, ...more] = set.file as Array<IFileDescriptorProto | undefined>;
  if (!file || more.length > 0) throw new Error(`reflection: ${path} should describe one file, got ${set.file.length}`);
  file.name = name;
  const pkg = root.lookup(file.package ?? '') as protobuf.Namespace | null;
  const scope = pkg ?? root;
  for (const message of file.messageType ?? []) qualifyMessage(scope.lookupType(message.name ?? ''), message);
  return Buffer.from(FileDescriptorProto.encode(FileDescriptorProto.fromObject(file)).finish());
}

let kitFiles: readonly Buffer[] | undefined;

/** grpc/health/v1/health.proto and grpc/reflection/{v1,v1alpha}/reflection.proto, serialized. */
export function kitFileDescriptors(): readonly Buffer[] {
  kitFiles ??= [
    describeProtoFile(HEALTH_PROTO_PATH, 'grpc/health/v1/health.proto'),
    ...REFLECTION_VERSIONS.map((version) => describeProtoFile(join(REFLECTION_PROTO_ROOT, reflectionProtoFile(version)), reflectionProtoFile(version))),
  ];
  return kitFiles;
}

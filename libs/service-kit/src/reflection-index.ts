// The symbol index server reflection answers from: a google.protobuf.FileDescriptorSet split into its
// FileDescriptorProtos, each kept as the original bytes (comments and source info survive), and every
// fully-qualified name mapped to the file that defines it. Built once per server start; pure.
import { Reader } from 'protobufjs';
import {
  FileDescriptorProto,
  type IDescriptorProto,
  type IEnumDescriptorProto,
  type IFieldDescriptorProto,
  type IFileDescriptorProto,
} from 'protobufjs/ext/descriptor';

export interface DescriptorIndex {
  /** File name → its serialized FileDescriptorProto, byte for byte as given. */
  readonly files: ReadonlyMap<string, Buffer>;
  /** File name → the names of the files it imports. */
  readonly deps: ReadonlyMap<string, readonly string[]>;
  /**
   * Fully-qualified name, without leading dot → the file defining it: packages' services, methods,
   * messages (nested too), fields, oneofs, enums, enum values (`pkg.VALUE`, protobuf's own scoping,
   * and `pkg.Enum.VALUE`) and extensions.
   */
  readonly symbols: ReadonlyMap<string, string>;
  /** Full names of the message types (the subset of `symbols` extensions can extend). */
  readonly messages: ReadonlySet<string>;
  /** Extended message full name → extension field number → the file declaring the extension. */
  readonly extensions: ReadonlyMap<string, ReadonlyMap<number, string>>;
  /** Full names of every service the files define, in file order. */
  readonly services: readonly string[];
}

const FILE_DESCRIPTOR_SET_FILE_FIELD = 1;
const WIRE_TYPE_LENGTH_DELIMITED = 2;

/** The FileDescriptorProtos of a serialized FileDescriptorSet, each as its own bytes (copied, not re-encoded). */
export function splitDescriptorSet(descriptorSet: Uint8Array): Buffer[] {
  const reader = Reader.create(descriptorSet);
  const files: Buffer[] = [];
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === FILE_DESCRIPTOR_SET_FILE_FIELD && (tag & 7) === WIRE_TYPE_LENGTH_DELIMITED) {
        files.push(Buffer.from(reader.bytes()));
      } else {
        reader.skipType(tag & 7);
      }
    }
  } catch (err) {
    throw new Error(`descriptors: not a serialized google.protobuf.FileDescriptorSet (${(err as Error).message})`, { cause: err });
  }
  return files;
}

const join = (scope: string, name: string) => (scope ? `${scope}.${name}` : name);
const stripDot = (name: string) => (name.startsWith('.') ? name.slice(1) : name);

class IndexBuilder {
  readonly files = new Map<string, Buffer>();
  readonly deps = new Map<string, readonly string[]>();
  readonly symbols = new Map<string, string>();
  readonly messages = new Set<string>();
  readonly extensions = new Map<string, Map<number, string>>();
  readonly services: string[] = [];
  private fileName = '';

  /** First definition wins: a descriptor set from protoc never defines a name twice. */
  private define(fqn: string): void {
    if (!this.symbols.has(fqn)) this.symbols.set(fqn, this.fileName);
  }

  /** Adds one file; a fallback file is skipped when a file of its name is already there. */
  addFile(bytes: Buffer, fallback: boolean): void {
    let file: IFileDescriptorProto;
    try {
      file = FileDescriptorProto.decode(bytes) as IFileDescriptorProto;
    } catch (err) {
      throw new Error(`descriptors: a file of the descriptor set does not decode (${(err as Error).message})`, { cause: err });
    }
    const name = file.name;
    if (!name) throw new Error('descriptors: a FileDescriptorProto without a name (is this a FileDescriptorSet?)');
    const known = this.files.get(name);
    if (known) {
      if (fallback || known.equals(bytes)) return;
      throw new Error(`descriptors: two different files named ${name}`);
    }
    this.fileName = name;
    this.files.set(name, bytes);
    this.deps.set(name, [...((file.dependency as string[] | undefined) ?? [])]);
    const pkg = file.package ?? '';
    for (const message of file.messageType ?? []) this.addMessage(pkg, message);
    for (const enumType of file.enumType ?? []) this.addEnum(pkg, enumType);
    for (const extension of file.extension ?? []) this.addExtension(pkg, extension);
    for (const service of file.service ?? []) {
      const serviceName = join(pkg, service.name ?? '');
      this.define(serviceName);
      if (!this.services.includes(serviceName)) this.services.push(serviceName);
      for (const method of service.method ?? []) this.define(join(serviceName, method.name ?? ''));
    }
  }

  private addMessage(scope: string, message: IDescriptorProto): void {
    const fqn = join(scope, message.name ?? '');
    this.define(fqn);
    this.messages.add(fqn);
    for (const field of message.field ?? []) this.define(join(fqn, field.name ?? ''));
    for (const oneof of message.oneofDecl ?? []) this.define(join(fqn, oneof.name ?? ''));
    for (const nested of message.nestedType ?? []) this.addMessage(fqn, nested);
    for (const enumType of message.enumType ?? []) this.addEnum(fqn, enumType);
    for (const extension of message.extension ?? []) this.addExtension(fqn, extension);
  }

  private addEnum(scope: string, enumType: IEnumDescriptorProto): void {
    const fqn = join(scope, enumType.name ?? '');
    this.define(fqn);
    for (const value of enumType.value ?? []) {
      this.define(join(scope, value.name ?? ''));
      this.define(join(fqn, value.name ?? ''));
    }
  }

  private addExtension(scope: string, extension: IFieldDescriptorProto): void {
    this.define(join(scope, extension.name ?? ''));
    if (!extension.extendee || extension.number === undefined) return;
    const extendee = stripDot(extension.extendee);
    let numbers = this.extensions.get(extendee);
    if (!numbers) this.extensions.set(extendee, (numbers = new Map()));
    if (!numbers.has(extension.number)) numbers.set(extension.number, this.fileName);
  }
}

/**
 * Indexes a serialized FileDescriptorSet plus `fallbackFiles` (serialized FileDescriptorProtos, used
 * only where the set has no file of the same name). Throws when the bytes are no FileDescriptorSet or
 * a file imports one the set lacks (generate it with protoc --include_imports).
 */
export function indexDescriptorSet(descriptorSet: Uint8Array | undefined, fallbackFiles: readonly Uint8Array[] = []): DescriptorIndex {
  const builder = new IndexBuilder();
  for (const bytes of descriptorSet ? splitDescriptorSet(descriptorSet) : []) builder.addFile(bytes, false);
  for (const bytes of fallbackFiles) builder.addFile(Buffer.from(bytes), true);
  for (const [name, imports] of builder.deps) {
    const missing = imports.filter((dependency) => !builder.files.has(dependency));
    if (missing.length > 0) {
      throw new Error(`descriptors: ${name} imports ${missing.join(', ')}, missing from the descriptor set (protoc --include_imports)`);
    }
  }
  return {
    files: builder.files,
    deps: builder.deps,
    symbols: builder.symbols,
    messages: builder.messages,
    extensions: builder.extensions,
    services: builder.services,
  };
}

/** `fileName`'s bytes followed by those of its transitive dependencies, each file once. */
export function fileWithDependencies(index: DescriptorIndex, fileName: string): Buffer[] {
  const seen = new Set<string>();
  const out: Buffer[] = [];
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const bytes = index.files.get(name);
    if (!bytes) return;
    out.push(bytes);
    for (const dependency of index.deps.get(name) ?? []) visit(dependency);
  };
  visit(fileName);
  return out;
}

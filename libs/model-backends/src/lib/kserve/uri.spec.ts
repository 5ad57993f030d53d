import { ModelLoadError } from '../errors';
import { isKServeUri, parseKServeUri } from './uri';

describe('parseKServeUri', () => {
  it('reads host, port, model and the optional parameters', () => {
    expect(parseKServeUri('kserve://triton.local:8001/clip_image')).toEqual({
      uri: 'kserve://triton.local:8001/clip_image',
      host: 'triton.local',
      port: 8001,
      address: 'triton.local:8001',
      tls: false,
      model: 'clip_image',
      version: '',
      propertiesPath: undefined,
      timeoutMs: undefined,
    });
    expect(parseKServeUri('kserve+tls://h:443/clip%20image?version=2&properties=./p/clip.properties.json&timeout_ms=1500')).toMatchObject({
      tls: true,
      port: 443,
      model: 'clip image',
      version: '2',
      propertiesPath: './p/clip.properties.json',
      timeoutMs: 1500,
    });
    expect(parseKServeUri('kserve://[::1]:8001/m')).toMatchObject({ host: '::1', address: '[::1]:8001' });
    expect(parseKServeUri('kserve://10.0.0.2:9000/m?properties=/abs/p.json').propertiesPath).toBe('/abs/p.json');
  });

  it.each([
    ['onnx:./model.onnx', 'scheme must be kserve:// or kserve+tls://'],
    ['http://h:8000/m', 'scheme must be kserve:// or kserve+tls://'],
    ['kserve:h:8001/m', 'must be followed by //host:port'],
    ['kserve://h/m', 'no port'],
    ['kserve://h:0/m', 'port 0'],
    ['kserve://h:99999/m', 'not a URI'],
    ['kserve://h:8001', 'exactly one segment'],
    ['kserve://h:8001/', 'exactly one segment'],
    ['kserve://h:8001/a/b', 'exactly one segment'],
    ['kserve://u:p@h:8001/m', 'credentials'],
    ['kserve://h:8001/m#x', 'fragment'],
    ['kserve://h:8001/m?versoin=1', 'unknown parameter "versoin" (known: version, properties, timeout_ms)'],
    ['kserve://h:8001/m?version=1&version=2', 'parameter "version" given twice'],
    ['kserve://h:8001/m?version=', 'version= is empty'],
    ['kserve://h:8001/m?properties', 'properties= is empty'],
    ['kserve://h:8001/m?timeout_ms=0', 'timeout_ms must be a positive integer, got "0"'],
    ['kserve://h:8001/m?timeout_ms=1.5', 'timeout_ms must be a positive integer'],
    ['kserve://h:8001/m?timeout_ms=soon', 'timeout_ms must be a positive integer'],
  ])('refuses %s with ModelLoadError', (uri, problem) => {
    expect(() => parseKServeUri(uri)).toThrow(ModelLoadError);
    expect(() => parseKServeUri(uri)).toThrow(problem);
    expect(() => parseKServeUri(uri)).toThrow(`bad kserve URI "${uri}"`);
  });

  it('tells kserve URIs from others', () => {
    expect(['kserve://h:1/m', 'kserve+tls://h:1/m', 'onnx:m.onnx', 'kservex://h:1/m'].map(isKServeUri)).toEqual([true, true, false, false]);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/** The web application's files: precompressed copies when accepted, the SPA fallback, nothing outside. */
describe('serving the built web application', () => {
  let t: TestApp;
  const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-web-'));
  const script = `export const greeting = ${JSON.stringify('salam '.repeat(500))};\n`;

  beforeAll(async () => {
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Halas</title>');
    const file = path.join(webDir, 'assets', 'app-abc123.js');
    fs.writeFileSync(file, script);
    fs.writeFileSync(`${file}.gz`, gzipSync(script));
    fs.writeFileSync(`${file}.br`, brotliCompressSync(script));
    fs.writeFileSync(path.join(os.tmpdir(), 'halas-outside.js'), 'secret');
    t = await createTestApp('embedded', { webDir });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(webDir, { recursive: true, force: true });
  });

  const get = (url: string, encoding?: string) =>
    t.app.inject({ method: 'GET', url, headers: encoding ? { 'accept-encoding': encoding } : {} });

  it('sends the Brotli copy to a browser that accepts it, gzip to one that accepts only gzip, else the file', async () => {
    const br = await get('/assets/app-abc123.js', 'gzip, deflate, br');
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(script);
    expect(br.rawPayload.length).toBeLessThan(script.length / 5);

    const gz = await get('/assets/app-abc123.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(script);

    const plain = await get('/assets/app-abc123.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
    expect(plain.headers['content-type']).toBe(br.headers['content-type']);
  });

  it('never serves the compressed copies by their own names, files outside the folder, or unknown assets', async () => {
    expect((await get('/assets/app-abc123.js.br')).statusCode).toBe(404);
    expect((await get('/assets/../../halas-outside.js')).statusCode).toBe(404);
    expect((await get('/assets/%2e%2e/%2e%2e/halas-outside.js')).statusCode).toBe(404);
    expect((await get('/assets/missing-000.js', 'br')).statusCode).toBe(404);
  });

  it('answers every other page path with index.html, never cached', async () => {
    const page = await get('/persons/123', 'br');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<title>Halas</title>');
  });
});

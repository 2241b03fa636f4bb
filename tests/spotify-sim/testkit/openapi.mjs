// Loads the Spotify OpenAPI description and validates JSON values against its
// schemas: $ref (#/components/...), allOf, oneOf/anyOf (at least one branch),
// type (string/integer/number/boolean/array/object), nullable, enum,
// required, minimum/maximum, format date-time, items and properties.
// Unknown properties are allowed, as in the description itself.
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { parseYaml } from './yaml.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..');

// The description lives beside the repository (../shared/spotify/); the
// environment variable SPOTIFY_OPENAPI overrides that.
export function openApiPath() {
  const p = process.env.SPOTIFY_OPENAPI || resolve(repoRoot, '..', 'shared', 'spotify', 'spotify-openapi.yml');
  if (!existsSync(p)) throw new Error(`OpenAPI description not found at ${p}; set SPOTIFY_OPENAPI`);
  return p;
}

let cached = null;
export function loadOpenApi() {
  if (!cached) cached = parseYaml(readFileSync(openApiPath(), 'utf8'));
  return cached;
}

// Where real Spotify answers null although the description does not mark the
// property nullable (local files, plays without context, empty cursor pages).
export const REAL_WORLD_NULLABLE = {
  PlayHistoryObject: ['context'],
  CursorPagingObject: ['cursors', 'next'],
  TrackObject: ['id', 'href'],
  SimplifiedTrackObject: ['id', 'href'],
  AlbumBase: ['album_type', 'href', 'id', 'uri', 'release_date', 'release_date_precision'],
  SimplifiedArtistObject: ['href', 'id', 'uri'],
};

// Properties the description leaves optional but the simulator always sends
// (and linernotes relies on): checked as if they were required.
export const PROMISED = {
  TrackObject: ['album', 'artists', 'duration_ms', 'explicit', 'external_urls', 'href', 'id', 'is_local', 'name', 'popularity', 'type', 'uri'],
  SimplifiedTrackObject: ['artists', 'duration_ms', 'href', 'id', 'name', 'type', 'uri', 'track_number'],
  SimplifiedArtistObject: ['external_urls', 'href', 'id', 'name', 'type', 'uri'],
  ArtistObject: ['external_urls', 'followers', 'genres', 'href', 'id', 'images', 'name', 'popularity', 'type', 'uri'],
  PlayHistoryObject: ['track', 'played_at', 'context'],
  CursorPagingObject: ['href', 'limit', 'next', 'cursors'],
  CursorPagingPlayHistoryObject: ['items'],
  PrivateUserObject: ['id', 'display_name', 'country', 'product', 'uri', 'href', 'type', 'images', 'followers', 'external_urls', 'explicit_content'],
  SimplifiedPlaylistObject: ['collaborative', 'description', 'external_urls', 'href', 'id', 'images', 'name', 'owner', 'public', 'snapshot_id', 'items', 'tracks', 'type', 'uri'],
  PlaylistObject: ['collaborative', 'description', 'external_urls', 'followers', 'href', 'id', 'images', 'name', 'owner', 'public', 'snapshot_id', 'items', 'tracks', 'type', 'uri'],
  PlaylistTrackObject: ['added_at', 'added_by', 'is_local', 'item', 'track'],
  PlaylistUserObject: ['external_urls', 'href', 'id', 'type', 'uri'],
  ContextObject: ['type', 'href', 'external_urls', 'uri'],
  ExternalUrlObject: [],
};

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export class Validator {
  constructor(doc = loadOpenApi(), { nullable = REAL_WORLD_NULLABLE, promised = PROMISED } = {}) {
    this.doc = doc;
    this.nullable = nullable;
    this.promised = promised;
  }

  resolve(ref) {
    if (!ref.startsWith('#/')) throw new Error(`only local refs are supported: ${ref}`);
    let node = this.doc;
    for (const part of ref.slice(2).split('/')) {
      node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      if (node === undefined) throw new Error(`unresolvable $ref ${ref}`);
    }
    return { schema: node, name: ref.split('/').pop() };
  }

  schema(name) { return { $ref: `#/components/schemas/${name}` }; }

  // The JSON schema of an operation's response; status codes the operation
  // does not list fall back to the shared responses (BadRequest, NotFound...).
  responseSchema(path, method, status) {
    const op = this.doc.paths[path]?.[method];
    if (!op) throw new Error(`no operation ${method.toUpperCase()} ${path} in the description`);
    let r = op.responses[String(status)];
    if (!r) {
      const shared = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 429: 'TooManyRequests' }[status];
      if (!shared) throw new Error(`no response ${status} for ${path}`);
      r = { $ref: `#/components/responses/${shared}` };
    }
    while (r.$ref) r = this.resolve(r.$ref).schema;
    return r.content['application/json'].schema;
  }

  validate(value, schema) {
    const errors = [];
    this.walk(value, schema, '$', null, false, false, errors);
    return errors;
  }

  walk(value, schema, path, name, named, nullOk, errors) {
    if (schema.$ref) {
      const r = this.resolve(schema.$ref);
      return this.walk(value, r.schema, path, r.name, true, nullOk, errors);
    }
    if (value === undefined) { errors.push(`${path}: missing`); return; }
    if (value === null) {
      if (schema.nullable || nullOk) return;
      errors.push(`${path}: null is not allowed`);
      return;
    }
    if (schema.allOf) for (const sub of schema.allOf) this.walk(value, sub, path, name, false, false, errors);
    const alternatives = schema.oneOf || schema.anyOf;
    if (alternatives) {
      const all = alternatives.map((sub) => { const e = []; this.walk(value, sub, path, name, false, false, e); return e; });
      if (!all.some((e) => e.length === 0)) errors.push(`${path}: matches none of the alternatives (${all.map((e) => e[0]).join(' | ')})`);
    }
    const type = schema.type ?? (schema.properties || schema.required ? 'object' : undefined);
    if (type && !hasType(value, type)) { errors.push(`${path}: expected ${type}, got ${describe(value)}`); return; }
    if (schema.enum && !schema.enum.includes(value)) errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: ${value} < minimum ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: ${value} > maximum ${schema.maximum}`);
    }
    if (schema.format === 'date-time' && typeof value === 'string' && !DATE_TIME.test(value)) errors.push(`${path}: not a date-time: ${value}`);
    if (Array.isArray(value) && schema.items) value.forEach((v, i) => this.walk(v, schema.items, `${path}[${i}]`, name, false, false, errors));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const required = [...(schema.required || []), ...(named && this.promised[name] ? this.promised[name] : [])];
      for (const k of required) if (!Object.prototype.hasOwnProperty.call(value, k) || value[k] === undefined) errors.push(`${path}.${k}: required property missing`);
      if (schema.properties) {
        const nullableHere = this.nullable[name] || [];
        for (const [k, ps] of Object.entries(schema.properties)) {
          if (Object.prototype.hasOwnProperty.call(value, k)) this.walk(value[k], ps, `${path}.${k}`, name, false, nullableHere.includes(k), errors);
        }
      }
    }
  }
}

function hasType(v, t) {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    default: throw new Error(`unknown schema type ${t}`);
  }
}

function describe(v) { return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v; }

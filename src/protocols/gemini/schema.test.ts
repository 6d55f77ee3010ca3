import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { geminiSchema, toolParameters } from './schema.js';

describe('gemini schema cleaning', () => {
  it('upper-case types, enum and required kept; keys Gemini rejects dropped at every depth', () => {
    const out = toolParameters({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Args',
      type: 'object',
      additionalProperties: false,
      properties: {
        unit: { type: 'string', enum: ['c', 'f'], default: 'c', examples: ['c'], $comment: 'x' },
        tags: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { k: { type: 'string' } }, propertyNames: { pattern: '^x' } }, minItems: 1, uniqueItems: true },
        n: { type: 'integer', minimum: 0, exclusiveMaximum: 10, format: 'int32' },
      },
      required: ['unit', 'ghost'],
    });
    assert.deepEqual(out, {
      type: 'OBJECT',
      properties: {
        unit: { type: 'STRING', enum: ['c', 'f'] },
        tags: { type: 'ARRAY', items: { type: 'OBJECT', properties: { k: { type: 'STRING' } } }, minItems: 1 },
        n: { type: 'INTEGER', format: 'int32', minimum: 0 },
      },
      required: ['unit'],
    });
  });

  it('a property named like a dropped keyword is still a property', () => {
    const out = toolParameters({ type: 'object', properties: { title: { type: 'string' }, default: { type: 'number' } } });
    assert.deepEqual(out, { type: 'OBJECT', properties: { title: { type: 'STRING' }, default: { type: 'NUMBER' } } });
  });

  it('nullable forms, unions, const, oneOf and allOf', () => {
    const out = toolParameters({
      type: 'object',
      properties: {
        a: { type: ['string', 'null'] },
        b: { anyOf: [{ type: 'integer' }, { type: 'null' }], description: 'b' },
        c: { type: ['string', 'number'] },
        d: { const: 'fixed' },
        e: { oneOf: [{ type: 'string' }, { type: 'boolean' }] },
        f: { allOf: [{ type: 'object', properties: { x: { type: 'string' } }, required: ['x'] }, { properties: { y: { type: 'number' } } }] },
        g: { type: 'integer', enum: [1, 2] },
      },
    });
    assert.deepEqual(out?.['properties'], {
      a: { type: 'STRING', nullable: true },
      b: { type: 'INTEGER', description: 'b', nullable: true },
      c: { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] },
      d: { type: 'STRING', enum: ['fixed'] },
      e: { anyOf: [{ type: 'STRING' }, { type: 'BOOLEAN' }] },
      f: { type: 'OBJECT', properties: { x: { type: 'STRING' }, y: { type: 'NUMBER' } }, required: ['x'] },
      g: { type: 'INTEGER', enum: ['1', '2'], format: 'enum' },
    });
  });

  it('$refs are inlined', () => {
    const out = toolParameters({
      type: 'object',
      properties: { p: { $ref: '#/$defs/Point' } },
      $defs: { Point: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] } },
    });
    assert.deepEqual(out, { type: 'OBJECT', properties: { p: { type: 'OBJECT', properties: { x: { type: 'NUMBER' } }, required: ['x'] } } });
  });

  it('string formats Gemini rejects move into the description', () => {
    const out = toolParameters({
      type: 'object',
      properties: { u: { type: 'string', format: 'uri', description: 'Link' }, e: { type: 'string', format: 'email' }, t: { type: 'string', format: 'date-time' } },
    });
    assert.deepEqual(out?.['properties'], {
      u: { type: 'STRING', description: 'Link (format: uri)' },
      e: { type: 'STRING', description: 'Format: email' },
      t: { type: 'STRING', format: 'date-time' },
    });
  });

  it('a tool with no parameters sends none (Gemini rejects an OBJECT with empty properties)', () => {
    assert.equal(toolParameters(undefined), undefined);
    assert.equal(toolParameters({}), undefined);
    assert.equal(toolParameters({ type: 'object', properties: {}, additionalProperties: false }), undefined);
  });

  it('a free-form nested object keeps its type without an empty properties map', () => {
    const out = toolParameters({ type: 'object', properties: { meta: { type: 'object', additionalProperties: true, properties: {} } } });
    assert.deepEqual(out, { type: 'OBJECT', properties: { meta: { type: 'OBJECT' } } });
  });

  it('response schemas need not be objects', () => {
    assert.deepEqual(geminiSchema({ type: 'array', items: { type: 'string' } }), { type: 'ARRAY', items: { type: 'STRING' } });
  });

  it('does not modify its input', () => {
    const input = { type: 'object', properties: { a: { type: ['string', 'null'], title: 'A' } } };
    const copy = structuredClone(input);
    toolParameters(input);
    assert.deepEqual(input, copy);
  });
});

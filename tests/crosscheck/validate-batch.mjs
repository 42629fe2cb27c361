// Validate many (shapes, data) pairs with one JavaScript SHACL engine, in one Node process.
//
//   node validate-batch.mjs shacl-engine|rdf-validate-shacl [--sparql] < jobs.jsonl
//
// Each input line is {"shapes": FILE, "data": FILE, "out": FILE}; files are Turtle, TriG,
// N-Triples or N-Quads (by extension). The engine's sh:ValidationReport is written to "out" as
// Turtle, and one JSON line per job goes to stdout: {"data", "status": "ok"|"error", "conforms",
// "message"}. Used by tests/test_crosscheck.py. --sparql gives shacl-engine its SPARQL plugin
// (without it shacl-engine skips sh:sparql constraints silently, so give it shapes without them).
import fs from 'node:fs'
import path from 'node:path'
import { DataFactory, Parser, Store, Writer } from 'n3'
import SHACLValidator from 'rdf-validate-shacl'
import { Validator } from 'shacl-engine'
import { validations, targetResolvers } from 'shacl-engine/sparql.js'

const FORMATS = { '.ttl': 'text/turtle', '.trig': 'application/trig', '.nt': 'application/n-triples', '.nq': 'application/n-quads' }
const engine = process.argv[2]
const sparql = process.argv.includes('--sparql')
if (!['shacl-engine', 'rdf-validate-shacl'].includes(engine)) {
  console.error('usage: node validate-batch.mjs shacl-engine|rdf-validate-shacl [--sparql] < jobs.jsonl')
  process.exit(2)
}

function load (file) {
  const format = FORMATS[path.extname(file).toLowerCase()]
  if (!format) throw new Error(`no parser for ${file}`)
  const quads = new Parser({ format, baseIRI: 'file://' + path.resolve(file) }).parse(fs.readFileSync(file, 'utf8'))
  // Graph names do not matter to SHACL here: validate the union, as pySHACL does.
  return new Store(quads.map(q => DataFactory.quad(q.subject, q.predicate, q.object)))
}

const factory = { ...DataFactory, dataset: quads => new Store(quads) }
const validators = new Map()

async function validate (shapesFile, dataFile) {
  const data = load(dataFile)
  if (engine === 'shacl-engine') {
    if (!validators.has(shapesFile)) {
      const options = sparql ? { factory, validations, targetResolvers } : { factory }
      validators.set(shapesFile, new Validator(load(shapesFile), options))
    }
    return validators.get(shapesFile).validate({ dataset: data })
  }
  return new SHACLValidator(load(shapesFile)).validate(data)
}

function turtle (dataset) {
  return new Promise((resolve, reject) => {
    const writer = new Writer({ prefixes: { sh: 'http://www.w3.org/ns/shacl#' } })
    writer.addQuads([...dataset])
    writer.end((error, text) => error ? reject(error) : resolve(text))
  })
}

// The whole job list first: a readline loop with long awaits in its body can end early.
for (const line of fs.readFileSync(0, 'utf8').split('\n')) {
  if (!line.trim()) continue
  const job = JSON.parse(line)
  try {
    const report = await validate(job.shapes, job.data)
    fs.writeFileSync(job.out, await turtle(report.dataset))
    console.log(JSON.stringify({ data: job.data, status: 'ok', conforms: report.conforms }))
  } catch (error) {
    console.log(JSON.stringify({ data: job.data, status: 'error', message: String(error && error.message || error) }))
  }
}

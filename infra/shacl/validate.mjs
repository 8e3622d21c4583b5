// Validates JSON-LD documents against SHACL shapes, offline, and prints the report as one JSON object.
//   node infra/shacl/validate.mjs SHAPES.ttl CONTEXT.jsonld DOCUMENT.jsonld [DOCUMENT.jsonld …]
// CONTEXT.jsonld is the local copy of the CPSV-AP 3.2.0 context: a document naming that context by its published
// address gets this file, and naming any other address is an error — nothing is fetched. The documents are merged
// into one data graph (pages of an export make one graph). A document's top-level "next" is the API's paging
// cursor, not part of the graph, and is left out. Expansion runs in jsonld's safe mode, so a key or value that
// would be silently dropped (a misspelt term, a relative IRI) fails instead.
// Prints {"conforms", "documents", "triples", "types": {class: count}, "violations": [{focusNode, path, constraint,
// shape, severity, value, message}]}; exits 0 when it could validate (conforming or not), 2 when it could not.
import { readFile } from 'node:fs/promises';
import jsonld from 'jsonld';
import { Parser, Store } from 'n3';
import SHACLValidator from 'rdf-validate-shacl';

const CONTEXT = 'https://semiceu.github.io/uri.semic.eu-generated/CPSV-AP/releases/3.2.0/context/cpsv-ap.jsonld';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

const [shapesFile, contextFile, ...documents] = process.argv.slice(2);
if (!shapesFile || !contextFile || documents.length === 0) {
  console.error('usage: node validate.mjs SHAPES.ttl CONTEXT.jsonld DOCUMENT.jsonld [DOCUMENT.jsonld …]');
  process.exit(2);
}

try {
  const context = JSON.parse(await readFile(contextFile, 'utf8'));
  const documentLoader = async (url) => {
    if (url === CONTEXT) {
      return { contextUrl: null, documentUrl: url, document: context };
    }
    throw new Error(`${url} is not the CPSV-AP 3.2.0 context; nothing is fetched.`);
  };

  const shapes = new Parser().parse(await readFile(shapesFile, 'utf8'));
  const data = new Store();
  for (const file of documents) {
    const document = JSON.parse(await readFile(file, 'utf8'));
    delete document.next;
    const nquads = await jsonld.toRDF(document, { format: 'application/n-quads', documentLoader, safe: true });
    data.addQuads(new Parser({ format: 'N-Quads' }).parse(nquads));
  }

  const types = {};
  for (const quad of data.match(null, null, null, null)) {
    if (quad.predicate.value === RDF_TYPE) {
      types[quad.object.value] = (types[quad.object.value] ?? 0) + 1;
    }
  }

  const report = await new SHACLValidator(shapes).validate(data);
  const violations = report.results.map((r) => ({
    focusNode: r.focusNode?.value ?? null,
    path: r.path?.value ?? null,
    constraint: r.sourceConstraintComponent?.value ?? null,
    shape: r.sourceShape?.value ?? null,
    severity: r.severity?.value ?? null,
    value: r.value?.value ?? null,
    message: r.message.map((m) => m.value).join(' '),
  }));
  console.log(JSON.stringify({ conforms: report.conforms, documents: documents.length, triples: data.size, types, violations }));
} catch (error) {
  console.error(error?.stack ?? String(error));
  process.exit(2);
}

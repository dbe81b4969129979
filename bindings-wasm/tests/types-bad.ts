import { Engine } from '../pkg/index.js';

// Wrong on purpose: the types must reject a level that does not exist and a non-string text.
const engine = new Engine({ podSecurityLevel: 'strict' });
engine.evaluate(42);

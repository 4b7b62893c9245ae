/**
 * A small evaluator for the subset of expr-lang (github.com/expr-lang/expr v1.16, what Argo Rollouts v1.9.1
 * uses) that our analysis conditions use: numbers, `true`/`false`, `result`, `result[i]`, `len(x)`,
 * `isNaN(x)`, `isInf(x)`, `!`/`not`, `* / + -`, comparisons, `&&`/`and`, `||`/`or`, parentheses.
 * Semantics kept from expr-lang: `&&`/`||` short-circuit; an index out of range is a runtime error; float
 * comparisons follow IEEE 754 (every comparison with NaN is false, as in Go). Anything outside the subset
 * throws a parse error, so a condition we cannot judge faithfully fails the test instead of passing it.
 *
 * `evaluateResult` mirrors argoproj/argo-rollouts v1.9.1 utils/evaluate/evaluate.go EvaluateResult: an
 * evaluation error is the Error phase; with only a successCondition a false one is Failed; with only a
 * failureCondition a false one is Successful; with both and neither true it is Inconclusive.
 */
type Value = number | boolean | number[];

type Node =
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'id'; name: string }
  | { t: 'call'; fn: string; arg: Node }
  | { t: 'index'; target: Node; index: Node }
  | { t: 'not'; arg: Node }
  | { t: 'neg'; arg: Node }
  | { t: 'bin'; op: string; l: Node; r: Node };

const TOKEN = /\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|&&|\|\||==|!=|<=|>=|[<>()[\]!+\-*/])/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    if (/^\s*$/.test(src.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m) throw new Error(`expr subset: cannot read "${src.slice(at)}"`);
    out.push(m[1]);
  }
  return out;
}

const LEVELS: string[][] = [['||', 'or'], ['&&', 'and'], ['==', '!=', '<', '<=', '>', '>='], ['+', '-'], ['*', '/']];

export function parseExpr(src: string): Node {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const take = (want?: string) => {
    const t = toks[i++];
    if (want !== undefined && t !== want) throw new Error(`expr subset: expected "${want}", got "${t}" in ${src}`);
    return t;
  };
  const binary = (level: number): Node => {
    if (level === LEVELS.length) return unary();
    let l = binary(level + 1);
    while (LEVELS[level].includes(peek())) {
      let op = take();
      op = op === 'or' ? '||' : op === 'and' ? '&&' : op;
      l = { t: 'bin', op, l, r: binary(level + 1) };
    }
    return l;
  };
  const unary = (): Node => {
    if (peek() === '!' || peek() === 'not') { take(); return { t: 'not', arg: unary() }; }
    if (peek() === '-') { take(); return { t: 'neg', arg: unary() }; }
    return postfix();
  };
  const postfix = (): Node => {
    let n = primary();
    while (peek() === '[') {
      take('[');
      const index = binary(0);
      take(']');
      n = { t: 'index', target: n, index };
    }
    return n;
  };
  const primary = (): Node => {
    const t = take();
    if (t === undefined) throw new Error(`expr subset: unexpected end of ${src}`);
    if (t === '(') { const n = binary(0); take(')'); return n; }
    if (/^\d/.test(t)) return { t: 'num', v: Number(t) };
    if (t === 'true' || t === 'false') return { t: 'bool', v: t === 'true' };
    if (['len', 'isNaN', 'isInf'].includes(t)) { take('('); const arg = binary(0); take(')'); return { t: 'call', fn: t, arg }; }
    if (t === 'result') return { t: 'id', name: t };
    throw new Error(`expr subset: "${t}" is not supported (in ${src})`);
  };
  const n = binary(0);
  if (i !== toks.length) throw new Error(`expr subset: trailing "${toks.slice(i).join(' ')}" in ${src}`);
  return n;
}

function num(v: Value, what: string): number {
  if (typeof v !== 'number') throw new Error(`expr: ${what} needs a number, got ${JSON.stringify(v)}`);
  return v;
}

function evalNode(n: Node, env: { result: number[] }): Value {
  switch (n.t) {
    case 'num': case 'bool': return n.v;
    case 'id': return env.result;
    case 'call': {
      const v = evalNode(n.arg, env);
      if (n.fn === 'len') { if (!Array.isArray(v)) throw new Error('expr: len() of a non-array'); return v.length; }
      if (n.fn === 'isNaN') return Number.isNaN(num(v, 'isNaN'));
      return Math.abs(num(v, 'isInf')) === Infinity;
    }
    case 'index': {
      const arr = evalNode(n.target, env);
      const idx = num(evalNode(n.index, env), 'an index');
      if (!Array.isArray(arr)) throw new Error('expr: index of a non-array');
      const real = idx < 0 ? arr.length + idx : idx;
      if (real < 0 || real >= arr.length) throw new Error(`expr: index out of range: ${idx} (array length is ${arr.length})`);
      return arr[real];
    }
    case 'not': { const v = evalNode(n.arg, env); if (typeof v !== 'boolean') throw new Error('expr: ! of a non-bool'); return !v; }
    case 'neg': return -num(evalNode(n.arg, env), 'unary -');
    case 'bin': {
      if (n.op === '&&' || n.op === '||') {
        const l = evalNode(n.l, env);
        if (typeof l !== 'boolean') throw new Error(`expr: ${n.op} of a non-bool`);
        if (n.op === '&&' ? !l : l) return l;
        const r = evalNode(n.r, env);
        if (typeof r !== 'boolean') throw new Error(`expr: ${n.op} of a non-bool`);
        return r;
      }
      const l = num(evalNode(n.l, env), n.op);
      const r = num(evalNode(n.r, env), n.op);
      switch (n.op) {
        case '==': return l === r;
        case '!=': return l !== r;
        case '<': return l < r;
        case '<=': return l <= r;
        case '>': return l > r;
        case '>=': return l >= r;
        case '+': return l + r;
        case '-': return l - r;
        case '*': return l * r;
        default: return l / r;
      }
    }
  }
}

/** Evaluates a condition; throws on an evaluation error, as expr.Run returns one. */
export function evalCondition(result: number[], condition: string): boolean {
  const v = evalNode(parseExpr(condition), { result });
  if (typeof v !== 'boolean') throw new Error(`expected bool, but got ${typeof v}`);
  return v;
}

export type Phase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** The measurement phase Argo Rollouts gives `result` (utils/evaluate/evaluate.go EvaluateResult, v1.9.1). */
export function evaluateResult(result: number[], successCondition?: string, failureCondition?: string): Phase {
  let success = false;
  let failure = false;
  // Parse first, outside the try: syntax the subset does not know fails the test, it is not an Error phase.
  if (successCondition) parseExpr(successCondition);
  if (failureCondition) parseExpr(failureCondition);
  try {
    if (successCondition) success = evalCondition(result, successCondition);
    if (failureCondition) failure = evalCondition(result, failureCondition);
  } catch {
    return 'Error';
  }
  if (!successCondition && !failureCondition) return 'Successful';
  if (successCondition && !failureCondition) failure = !success;
  if (!successCondition && failureCondition) success = !failure;
  if (failure) return 'Failed';
  if (!success) return 'Inconclusive';
  return 'Successful';
}

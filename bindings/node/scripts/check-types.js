"use strict";
// check-types.js — types.d.ts matches the runtime: the same value exports,
// and for each exported class the same public methods and accessors
// (own and inherited; names starting with "_" are private).
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const runtime = require(root);
const text = fs.readFileSync(path.join(root, "types.d.ts"), "utf8");

const declared = new Map(); // name -> null (value) or Set of members (class)
let current = null;
for (const raw of text.split("\n")) {
  const line = raw.trim();
  let m;
  if ((m = /^export (?:const enum|const|function) (\w+)/.exec(line))) {
    declared.set(m[1], null);
  } else if ((m = /^export class (\w+)/.exec(line))) {
    current = new Set();
    declared.set(m[1], current);
  } else if (current && line === "}") {
    current = null;
  } else if (current && (m = /^(?:get )?(\[Symbol\.\w+\]|\w+)\(/.exec(line))) {
    if (m[1] !== "constructor") current.add(m[1]);
  } else if (current && (m = /^readonly (\w+): /.exec(line))) {
    current.add(`field:${m[1]}`);
  }
}

// Node 20 defines Symbol.dispose itself, with another description.
const SYMBOLS = new Map(
  ["iterator", "asyncIterator", "dispose", "asyncDispose"].filter((n) => Symbol[n]).map((n) => [Symbol[n], `[Symbol.${n}]`]),
);

function runtimeMembers(cls) {
  const names = new Set();
  for (let proto = cls.prototype; proto && proto !== Object.prototype && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Reflect.ownKeys(proto)) {
      const name = typeof key === "symbol" ? SYMBOLS.get(key) ?? String(key) : key;
      if (name !== "constructor" && !name.startsWith("_")) names.add(name);
    }
  }
  return names;
}

const problems = [];
for (const name of Object.keys(runtime)) {
  if (!declared.has(name)) problems.push(`runtime export ${name} is not declared in types.d.ts`);
}
for (const [name, members] of declared) {
  if (!(name in runtime)) {
    problems.push(`types.d.ts declares ${name}, which index.js does not export`);
    continue;
  }
  if (!members) continue;
  const have = runtimeMembers(runtime[name]);
  for (const member of members) {
    if (member.startsWith("field:")) continue;
    if (!have.has(member)) problems.push(`${name}.${member} is declared but not implemented`);
  }
  for (const member of have) {
    if (!members.has(member) && !members.has(`field:${member}`)) problems.push(`${name}.${member} is implemented but not declared`);
  }
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`types.d.ts matches the runtime: ${declared.size} exports`);

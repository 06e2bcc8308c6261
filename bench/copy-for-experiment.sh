#!/bin/sh
# Makes scratch copies of this tree's kernel and web plugin in bench/tmp/ (the plugin copy imports
# the kernel copy), so a fix can be tried and measured next to the real tree:
#
#   sh bench/copy-for-experiment.sh            # then edit bench/tmp/koa/*.ts or bench/tmp/kernel/*.ts
#   npm run bench -- --only S1,S2 --koa bench/tmp/koa --kernel bench/tmp/kernel/index.ts
#   rm -rf bench/tmp                           # when done: the copies are not part of the project
#
# The copies start with `// @ts-nocheck` so they never disturb the project's type check.
set -e
cd "$(dirname "$0")"
rm -rf tmp/kernel tmp/koa
mkdir -p tmp
cp -r ../kernel tmp/kernel
cp -r ../plugins/koa tmp/koa
sed -i "s#from 'starmodel'#from '../kernel/index.js'#" tmp/koa/*.ts
for file in $(find tmp/kernel tmp/koa -name '*.ts'); do sed -i '1i // @ts-nocheck' "$file"; done
# kernel/version.ts reads ../package.json.
node -p "JSON.stringify({ name: 'starmodel-experimental-copy', version: require('../package.json').version, type: 'module', private: true })" > tmp/package.json
echo "copies in bench/tmp/kernel and bench/tmp/koa"

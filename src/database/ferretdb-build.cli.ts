import { resolveFerretdbBinary } from './ferretdb-binary';

resolveFerretdbBinary((message) => console.log(message)).then(
  (binary) => console.log(binary),
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);

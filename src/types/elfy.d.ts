declare module "elfy" {
  const elfy: { parse(buf: Buffer): unknown };
  export default elfy;
}

/** What is wrong with a request or a response, with the code Node's own HTTP parser gives it (`HPE_*`). */
export class Http1Error extends Error {
  override name = "Http1Error";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

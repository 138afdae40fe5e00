// ---------------------------------------------------------------------------------------------
// NOT YET IMPLEMENTED: everything CONFIG.md describes that this version cannot do yet, in one
// place. When a feature lands, add its keys to the schema and delete its entry here.
// ---------------------------------------------------------------------------------------------

import * as v from "valibot";

const HTTP_UPSTREAM = "HTTP upstream servers are not supported in this version yet";

/** [servers.<name>] keys of HTTP upstream servers: present in the schema only to be refused. */
export const unreleasedServerEntries = {
  url: v.optional(v.custom<never>(() => false, HTTP_UPSTREAM)),
  headers: v.optional(v.custom<never>(() => false, HTTP_UPSTREAM)),
};

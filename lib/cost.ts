/**
 * The cost model, for `watchpost cost` and `plan`: its parts are in lib/cost/ (prices, what a check
 * publishes, a day of history's size, usage, the estimate, its table).
 */
export { type CostEstimate, type CostLine, estimateCost } from "./cost/estimate.js";
export { formatEstimate } from "./cost/format.js";
export { PRICES } from "./cost/prices.js";
export type { CostOptions } from "./cost/usage.js";

// Every mode's recipe, by mode: a new mode is a recipe file beside these and a line here.
import { EgressMode } from "../../args";
import { NormalizedHost } from "../../validate/normalized";
import { httpMode } from "./http";
import { originationMode } from "./origination";
import { ModeRecipe } from "./recipe";
import { tcpMode } from "./tcp";
import { tlsPassthroughMode } from "./tlsPassthrough";

export { ModeRecipe, Upstream } from "./recipe";

const RECIPES: Record<EgressMode, ModeRecipe> = {
    HTTP: httpMode,
    TLS_PASSTHROUGH: tlsPassthroughMode,
    TLS_ORIGINATION: originationMode,
    MUTUAL_TLS_ORIGINATION: originationMode,
    TCP: tcpMode,
};

export function recipeOf(host: NormalizedHost): ModeRecipe {
    return RECIPES[host.mode];
}

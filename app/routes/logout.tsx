import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { signOut } from "../auth/signin.server";

export function loader() {
  return redirect("/");
}

export function action({ request }: ActionFunctionArgs) {
  return redirect("/", { headers: { "Set-Cookie": signOut(request) } });
}

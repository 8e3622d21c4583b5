using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OneGo.Server.Tests.Infrastructure;

/// <summary>An applicant's journey through the API: prepare a draft, fill in its form, submit it.</summary>
public static class Applying
{
    public const string GuardianId = "350205198806121231";
    public const string ChildId = "35020519920318246X";

    /// <summary>A client calling as a demo applicant (client credentials, scope apply).</summary>
    public static async Task<HttpClient> ApplicantAsync(this WebApplicationFactory<Program> app, string name = "demo-applicant-zhang")
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await client.TokenAsync(name, scope: "apply"));
        return client;
    }

    /// <summary>A value of the right kind for each field of a form, as an applicant would type it.</summary>
    public static JsonObject ValuesFor(JsonNode form)
    {
        var values = new JsonObject();
        foreach (var field in form.AsArray())
        {
            var code = (string)field!["code"]!;
            values[code] = (string)field["type"]! switch
            {
                "idNumber" => code.Contains("child", StringComparison.Ordinal) ? ChildId : GuardianId,
                "phone" => "138 0013 8000",
                "date" => "2019-08-01",
                "number" => JsonValue.Create(3),
                "boolean" => JsonValue.Create(true),
                _ => "张晓明",
            };
        }

        return values;
    }

    public static Task<HttpResponseMessage> SubmitAsync(this HttpClient applicant, string tenant, string application, string? key, object? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/t/{tenant}/applications/{application}/submit");
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body is JsonNode node ? node.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
        }

        return applicant.SendAsync(request);
    }

    /// <summary>
    /// Applies once in <paramref name="tenant"/> for the first live bundle and guide that asks the applicant to bring
    /// nothing: its form filled in, its commitments signed. Returns the submitted application.
    /// </summary>
    public static async Task<JsonNode> ApplyOnceAsync(this HttpClient applicant, string tenant)
    {
        var (id, commitments) = await SubmittableDraftAsync(applicant, tenant);
        var submitted = await applicant.SubmitAsync(tenant, id, "apply-once-" + Guid.NewGuid().ToString("N"), commitments);
        Xunit.Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        return await submitted.JsonAsync();
    }

    /// <summary>
    /// Applies in <paramref name="tenant"/> for <paramref name="bundle"/> with each question's first option (or the
    /// answers given): agrees to share every dataset, brings a file for what is not fetched, fills in the form, signs the
    /// commitments and submits under <paramref name="key"/>. Returns the submitted application.
    /// </summary>
    public static async Task<JsonNode> ApplyForAsync(this HttpClient applicant, string tenant, string bundle, string key, JsonObject? answers = null)
    {
        var (id, submit) = await PrepareForAsync(applicant, tenant, bundle, answers);
        var submitted = await applicant.SubmitAsync(tenant, id, key, submit);
        Xunit.Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
        return await submitted.JsonAsync();
    }

    /// <summary>What <see cref="ApplyForAsync"/> does before submitting: the draft's id and the body that signs its commitments.</summary>
    public static async Task<(string Id, JsonObject Submit)> PrepareForAsync(this HttpClient applicant, string tenant, string bundle, JsonObject? answers = null)
    {
        if (answers is null)
        {
            answers = [];
            foreach (var question in (await (await applicant.GetAsync($"/api/t/{tenant}/bundles/{bundle}")).JsonAsync())["scenarios"]!.AsArray())
            {
                answers[(string)question!["id"]!] = (string)question["options"]![0]!["id"]!;
            }
        }

        var guide = await (await applicant.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/bundles/{bundle}/guide", new JsonObject { ["answers"] = answers.DeepClone() })).JsonAsync();
        var id = await applicant.DraftAsync(tenant, new JsonObject { ["bundle"] = bundle, ["answers"] = answers.DeepClone(), ["values"] = ValuesFor(guide["form"]!) });
        var commitments = new JsonArray([.. guide["byCommitment"]!.AsArray().Select(m => JsonValue.Create((string)m!["code"]!))]);
        return (id, new JsonObject { ["commitments"] = commitments });
    }

    /// <summary>The first bytes of a PNG file: what a material's file needs to be taken for one.</summary>
    public static byte[] Png(int size = 1024)
    {
        var bytes = new byte[size];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>Attaches a file (a small PNG unless given) for a material of an application.</summary>
    public static Task<HttpResponseMessage> AttachAsync(this HttpClient applicant, string tenant, string application, string material, byte[]? bytes = null, string declared = "image/png")
    {
        var content = new ByteArrayContent(bytes ?? Png());
        content.Headers.ContentType = new MediaTypeHeaderValue(declared);
        return applicant.PutAsync($"/api/t/{tenant}/applications/{application}/materials/{material}", content);
    }

    /// <summary>A draft in <paramref name="tenant"/> whose guide says to bring a material: its id and the material's code.</summary>
    public static async Task<(string Id, string Material)> DraftWithMaterialAsync(this HttpClient applicant, string tenant)
    {
        var bundles = await (await applicant.GetAsync($"/api/t/{tenant}/bundles?limit=500")).JsonAsync();
        foreach (var item in bundles["items"]!.AsArray())
        {
            var code = (string)item!["summary"]!["code"]!;
            var bundle = await (await applicant.GetAsync($"/api/t/{tenant}/bundles/{code}")).JsonAsync();
            var answers = new JsonObject();
            foreach (var question in bundle["scenarios"]!.AsArray())
            {
                answers[(string)question!["id"]!] = (string)question["options"]![0]!["id"]!;
            }

            var guide = await (await applicant.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/bundles/{code}/guide", new JsonObject { ["answers"] = answers.DeepClone() })).JsonAsync();
            if (guide["bring"]!.AsArray().Concat(guide["mayFollowLater"]!.AsArray()).FirstOrDefault() is { } material)
            {
                var draft = await applicant.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/applications", new JsonObject { ["bundle"] = code, ["answers"] = answers.DeepClone() });
                Xunit.Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
                return ((string)(await draft.JsonAsync())["id"]!, (string)material["code"]!);
            }
        }

        throw new InvalidOperationException($"{tenant} has no live bundle whose guide asks an applicant to bring a material.");
    }

    /// <summary>
    /// A draft in <paramref name="tenant"/> ready to submit: the first live bundle and guide that asks the applicant to
    /// bring nothing, its form filled in. Returns its id and the body that signs its commitments.
    /// </summary>
    public static async Task<(string Id, JsonObject Body)> SubmittableDraftAsync(this HttpClient applicant, string tenant)
    {
        var (draft, submit) = await SubmittableAsync(applicant, tenant);
        return (await DraftAsync(applicant, tenant, draft), submit);
    }

    /// <summary>
    /// Prepares a draft from what <see cref="SubmittableAsync"/> found; returns its id. The applicant agrees to share
    /// every dataset its guide fetches; what the exchange does not answer (or no exchange, where the test runs none) is
    /// brought instead: a file is attached for each.
    /// </summary>
    public static async Task<string> DraftAsync(this HttpClient applicant, string tenant, JsonObject draft)
    {
        var created = await applicant.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/applications", draft.DeepClone());
        Xunit.Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var application = await created.JsonAsync();
        var id = (string)application["id"]!;
        if (application["sharing"]!.AsArray().Count > 0)
        {
            application = await applicant.ShareAllAsync(tenant, id);
        }

        foreach (var owed in application["owed"]!.AsArray().Where(o => !(bool)o!["mayFollowLater"]!))
        {
            Xunit.Assert.Equal(HttpStatusCode.Created, (await applicant.AttachAsync(tenant, id, (string)owed!["material"]!)).StatusCode);
        }

        return id;
    }

    /// <summary>Agrees to every dataset the application's guide fetches (as guardian where the data is a child's); returns the application.</summary>
    public static async Task<JsonNode> ShareAllAsync(this HttpClient applicant, string tenant, string application)
    {
        var current = await (await applicant.GetAsync($"/api/t/{tenant}/applications/{application}")).JsonAsync();
        var sharing = current["sharing"]!.AsArray();
        var body = new JsonObject
        {
            ["datasets"] = new JsonArray([.. sharing.Select(d => JsonValue.Create((string)d!["dataset"]!))]),
            ["textVersion"] = (string?)sharing.FirstOrDefault()?["textVersion"],
            ["asGuardian"] = sharing.Any(d => (bool)d!["childData"]!),
        };
        var agreed = await applicant.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/applications/{application}/consents", body);
        Xunit.Assert.Equal(HttpStatusCode.OK, agreed.StatusCode);
        return await agreed.JsonAsync();
    }

    /// <summary>
    /// What prepares a draft in <paramref name="tenant"/> ready to submit — the first live bundle and guide that asks the
    /// applicant to bring nothing, with its form filled in — and the body that signs its commitments.
    /// </summary>
    public static async Task<(JsonObject Draft, JsonObject Submit)> SubmittableAsync(this HttpClient applicant, string tenant)
    {
        var bundles = await (await applicant.GetAsync($"/api/t/{tenant}/bundles?limit=500")).JsonAsync();
        foreach (var item in bundles["items"]!.AsArray())
        {
            var code = (string)item!["summary"]!["code"]!;
            var bundle = await (await applicant.GetAsync($"/api/t/{tenant}/bundles/{code}")).JsonAsync();
            var questions = bundle["scenarios"]!.AsArray();
            var first = questions.FirstOrDefault();
            foreach (var option in first?["options"]!.AsArray() ?? [null])
            {
                var answers = new JsonObject();
                foreach (var question in questions)
                {
                    answers[(string)question!["id"]!] = question == first ? (string)option!["id"]! : (string)question["options"]![0]!["id"]!;
                }

                var guide = await (await applicant.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/bundles/{code}/guide", new JsonObject { ["answers"] = answers.DeepClone() })).JsonAsync();
                if (guide["bring"]!.AsArray().Count > 0)
                {
                    continue;
                }

                var commitments = new JsonArray([.. guide["byCommitment"]!.AsArray().Select(m => JsonValue.Create((string)m!["code"]!))]);
                return (new JsonObject { ["bundle"] = code, ["answers"] = answers.DeepClone(), ["values"] = ValuesFor(guide["form"]!) },
                    new JsonObject { ["commitments"] = commitments });
            }
        }

        throw new InvalidOperationException($"{tenant} has no live bundle whose guide asks an applicant to bring nothing.");
    }

    /// <summary>Answers to a bundle whose guide has a material that may follow later (容缺), and that guide: each question's first option but one.</summary>
    public static async Task<(JsonObject Answers, JsonNode Guide)> FollowLaterAsync(this HttpClient applicant, string tenant, string code)
    {
        var bundle = await (await applicant.GetAsync($"/api/t/{tenant}/bundles/{code}")).JsonAsync();
        var questions = bundle["scenarios"]!.AsArray();
        foreach (var (question, option) in questions.SelectMany(q => q!["options"]!.AsArray().Select(o => ((string)q["id"]!, (string)o!["id"]!))))
        {
            var answers = new JsonObject();
            foreach (var q in questions)
            {
                answers[(string)q!["id"]!] = (string)q["id"]! == question ? option : (string)q["options"]![0]!["id"]!;
            }

            var guide = await (await applicant.SendJsonAsync(HttpMethod.Post, $"/api/t/{tenant}/bundles/{code}/guide", new JsonObject { ["answers"] = answers.DeepClone() })).JsonAsync();
            if (guide["mayFollowLater"]!.AsArray().Count > 0)
            {
                return (answers, guide);
            }
        }

        throw new InvalidOperationException($"{tenant}'s {code} has no guide with a material that may follow later.");
    }
}

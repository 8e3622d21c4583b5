using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.OpenApi;
using OneGo.Catalogue;
using OneGo.Server.Features.Tenants;
using OneGo.Server.Identity;

namespace OneGo.Server.Hosting;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>, the contract integrators build against (committed as
/// <c>openapi/v1.json</c>; a test fails when the two differ). Each route's typed results state its own responses; what
/// the pipeline answers before a handler runs is declared here from the endpoint's metadata — 404 for an unknown
/// <c>{tenant}</c>, 401/403 for a route that needs a capability, 413/415 for a body, 400 for a parameter that is not of
/// its type, 429 everywhere — with the OAuth 2 security each route needs, its path parameters, its tags and examples.
/// </summary>
internal static partial class OpenApiContract
{
    public const string SecurityScheme = "oauth2";

    private const string AnyJson = "Any JSON value.";

    /// <summary>The schema components the transformers refer to, by id.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Type> Referenced = new();

    /// <summary>Members kept as JSON at run time (component, member) and the component of the document each holds.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Owner, string Member), (string Holds, bool Nullable)> KeptAsJson = new();

    /// <summary>The feature areas, as each operation is tagged, with what each is for.</summary>
    private static readonly (string Name, string Description)[] Tags =
    [
        ("Tenants", "Regions are tenants: the tree from national through provinces and cities to districts, each named by its id (fujian.xiamen.haicang) or its GB/T 2260 division code (350205); onboarding a region below one's own, its settings, and importing the tenants/ folder."),
        ("Accounts", "The people and service accounts of a region, managed by its admins and those above: each role grant, credential, authenticator reset and address change waits for a second admin (four eyes); revoking and disabling work at once."),
        ("Matters", "A region's matters (事项) with their elements: the live revisions, and each matter's working copy, reviewed by another person before it becomes the next live revision."),
        ("Bundles", "What is live, for anyone: a region's live bundles (一件事), one bundle's effective content, the personalised guide for a set of scenario answers, and the immutable approved versions."),
        ("Drafts", "Working copies of bundles and their review: create, change (If-Match), resolve, submit, approve by another person (four eyes), reject with a comment, propose a withdrawal."),
        ("Templates", "The template layer: the standards a region offers, who below adopted them, what an adopter changes against its standard, and rebasing onto a newer version."),
        ("Publishing", "A region's publishing runs into the national service zone: publish now, the runs, and what each published."),
        ("Zone", "The national service zone: searched by anyone across regions; followed by integrations (scope zone.read) through its feed, in commit order by cursor, and read one publication at a time. Publications are also pushed to registered integrations (see webhooks)."),
        ("Zone integrations", "The national operator's push integrations — where the zone POSTs publications, signed with HMAC-SHA256 — and the deliveries given up (dead letters), which can be replayed."),
        ("Applications", "一表申请、一次提交 for applicants (scope apply): a draft application for a live bundle — the guide's answers and the one form's values, checked field by field — changed while a draft, and submitted once with an Idempotency-Key into its tracking number and one case per matter that applies. An applicant reaches only their own applications, in any region."),
        ("Applicants", "The signed-in applicant: their own account, and their applications across regions."),
        ("Audit", "The append-only, hash-chained audit log of a region for its auditors, and the national auditors' verification of every chain against the checkpoints kept outside the database."),
    ];

    public static IServiceCollection AddOneGoOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer(async (document, context, cancellationToken) =>
        {
            Describe(document);
            foreach (var (id, type) in Referenced)
            {
                if (document.Components?.Schemas?.ContainsKey(id) != true)
                {
                    document.AddComponent(id, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
                }
            }

            foreach (var ((owner, member), (holds, nullable)) in KeptAsJson)
            {
                if (document.Components?.Schemas is { } schemas && schemas.TryGetValue(owner, out var found) && found is OpenApiSchema schema &&
                    schema.Properties is { } properties && properties.TryGetValue(member, out var kept))
                {
                    var said = new[] { kept.Description }.Concat(kept.OneOf?.Select(o => o.Description) ?? []).FirstOrDefault(d => d is not null && d != AnyJson);
                    var reference = new OpenApiSchemaReference(holds, document) { Description = nullable ? null : said };
                    properties[member] = nullable ? new OpenApiSchema { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, reference], Description = said } : reference;
                }
            }
        });
        options.AddOperationTransformer(TransformOperationAsync);
        options.AddSchemaTransformer((schema, context, _) =>
        {
            TransformSchema(schema, context);
            return Task.CompletedTask;
        });
    });

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OneGo",
            Version = "v1",
            Summary = "一件事一次办: get one thing done in one go.",
            Description = """
                OneGo serves China's 一件事一次办 reform: one deployment, every region a tenant. Provinces publish standard
                service bundles (一件事) as templates; cities and districts adopt and customise them; reviewers approve;
                scheduled runs publish what is approved into the national service zone, which integrations follow by feed
                or receive by push; citizens and enterprises read a personalised guide.

                Conventions. `{tenant}` is a region's id or its division code, answered alike; responses name the id. Lists
                are paged: `limit` (1–500, default 50) and the opaque `cursor` of the previous page's `next`. Errors are
                problem details (RFC 9457); a 422 lists each error with an RFC 6901 pointer into the body and the rule
                broken. Reads carry strong ETags (304 on If-None-Match); writes name what they read in If-Match (428
                without it, 412 when stale). A text is `{"zh": "…", "en": "…"}` in every response, `en` absent when there
                is no translation; a request may also send a text as a plain string (Chinese only).
                """,
            Contact = new OpenApiContact { Name = "OneGo", Url = new Uri("https://onego.gov.cn/") },
            License = new OpenApiLicense { Name = "Proprietary: the operator of this deployment", Url = new Uri("https://onego.gov.cn/terms") },
        };
        // Relative, so that the document describes whichever deployment serves it.
        document.Servers = [new OpenApiServer { Url = "/", Description = "This OneGo deployment." }];
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        DescribePushes(document);
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
        {
            [SecurityScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OneGo's own OpenID Connect server (/.well-known/openid-configuration). Integrations and service accounts use client credentials; people sign in with the authorization code flow, which requires PKCE (S256).",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow
                    {
                        TokenUrl = new Uri("/connect/token", UriKind.Relative),
                        Scopes = new Dictionary<string, string>
                        {
                            [OneGoClaims.ZoneReadScope] = "Read the national service zone's feed and publications (integrations).",
                            [OneGoClaims.ApiScope] = "Work in the tenant the service account belongs to, with the roles it holds (service accounts).",
                        },
                    },
                    AuthorizationCode = new OpenApiOAuthFlow
                    {
                        AuthorizationUrl = new Uri("/connect/authorize", UriKind.Relative),
                        TokenUrl = new Uri("/connect/token", UriKind.Relative),
                        RefreshUrl = new Uri("/connect/token", UriKind.Relative),
                        Scopes = new Dictionary<string, string>
                        {
                            [OneGoClaims.ApiScope] = "Work in the person's tenant with the roles they hold.",
                        },
                    },
                },
            },
        };
    }

    /// <summary>
    /// The zone's pushes (<see cref="Features.Zone.OutboxRelay"/>): what a registered integration's endpoint receives,
    /// how to check it came from OneGo, and what each answer makes the zone do.
    /// </summary>
    private static void DescribePushes(OpenApiDocument document)
    {
        static OpenApiResponse Answer(string description) => new() { Description = description };

        var push = new OpenApiOperation
        {
            OperationId = "receivePublication",
            Tags = new HashSet<OpenApiTagReference> { new("Zone integrations", document) },
            Summary = "A publication pushed to a registered integration.",
            Description = """
                Each publication of the regions an integration wants (each region with everything below it) is POSTed to the
                integration's URL, at least once, in the body exactly as GET /api/zone/publications/{id} serves it. Check the
                signature before trusting it: X-OneGo-Signature is `sha256=` and the lowercase hex HMAC-SHA256, keyed with the
                integration's secret, of the UTF-8 bytes of `{X-OneGo-Timestamp}.{body}`; refuse a timestamp far from your
                clock. Deliveries are idempotent by Idempotency-Key (the publication's id): the same publication may come
                again, after a timeout or a crash, and must then be taken once.
                """,
            Parameters =
            [
                Header("X-OneGo-Timestamp", "When the delivery was signed: Unix time in seconds."),
                Header("X-OneGo-Signature", "sha256= and the hex HMAC-SHA256 of '{timestamp}.{body}' with the integration's secret.", pattern: "^sha256=[0-9a-f]{64}$"),
                Header("Idempotency-Key", "The publication's id: a delivery with a key already taken is the same publication again."),
            ],
            RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [MediaTypes.Json] = new() { Schema = new OpenApiSchemaReference("PublicationView", document), Examples = OpenApiExamples.Named(OpenApiExamples.Publication) },
                },
            },
            Responses = new OpenApiResponses
            {
                ["2XX"] = Answer("Taken: the delivery is done."),
                ["408"] = Answer("Retried later, with exponential backoff and jitter."),
                ["429"] = Answer("Retried after the Retry-After the integration sends (seconds or a date), else with backoff."),
                ["4XX"] = Answer("Any other client error (and any redirect, which is not followed): the delivery is dead-lettered at once, with its status, for the national operator to replay."),
                ["5XX"] = Answer("Retried with exponential backoff and jitter (as are a timeout and a failed connection), until Zone:MaxAttempts (10) attempts have failed; then dead-lettered."),
            },
            Security = [new OpenApiSecurityRequirement()],
        };
        document.Webhooks = new Dictionary<string, IOpenApiPathItem>
        {
            ["publication"] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Post] = push } },
        };
    }

    /// <summary>The scope a route's capability needs; reading the zone is the integrations' own scope.</summary>
    private static string ScopeOf(Capability capability) => capability == Capability.ReadZone ? OneGoClaims.ZoneReadScope : OneGoClaims.ApiScope;

    private static async Task TransformOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var required = metadata.OfType<RequiredCapability>().LastOrDefault();
        var optional = metadata.OfType<OptionalSignIn>().LastOrDefault();
        var route = RoutePatternFactory.Parse("/" + description.RelativePath);
        var hasTenant = route.Parameters.Any(p => p.Name == TenantResolution.RouteParameter);

        DeclarePathParameters(operation, route);
        DescribePaging(operation);
        DeclarePreconditions(operation, metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet());
        // A file sent as the body is its own bytes, not base64 in JSON.
        foreach (var media in operation.RequestBody?.Content?.Values ?? [])
        {
            if (media.Schema is OpenApiSchema { Type: JsonSchemaType.String, Format: "byte" })
            {
                media.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
            }
        }

        foreach (var header in metadata.OfType<RequestHeader>())
        {
            operation.Parameters!.Add(Header(header.Name, header.Description, header.Required, header.Pattern));
        }

        operation.Security = required is not null
            ? [Requirement(context.Document!, ScopeOf(required.Capability))]
            : optional is not null
                ? [new OpenApiSecurityRequirement(), Requirement(context.Document!, ScopeOf(optional.Capability))]
                : [new OpenApiSecurityRequirement()];

        operation.Responses ??= [];
        var reasons = new Dictionary<int, List<string>>();
        void Because(int status, string? reason)
        {
            var list = reasons.TryGetValue(status, out var known) ? known : reasons[status] = [];
            if (!string.IsNullOrEmpty(reason) && !list.Contains(reason))
            {
                list.Add(reason);
            }
        }

        // What the handler's typed results declare: the schemas of each status, and why each comes.
        var declared = metadata.OfType<IProducesResponseTypeMetadata>().ToList();
        foreach (var status in declared.GroupBy(m => m.StatusCode))
        {
            foreach (var reason in status.Select(m => m.Description))
            {
                Because(status.Key, reason);
            }

            // A response without a body (304) is one the framework's description leaves out.
            if (!operation.Responses.TryGetValue(Key(status.Key), out var found) || found is not OpenApiResponse response)
            {
                operation.Responses[Key(status.Key)] = response = new OpenApiResponse();
            }

            await DescribeBodiesAsync(response, status, context, cancellationToken);
        }

        // What the pipeline answers before the handler runs, from the endpoint's metadata.
        if (description.ParameterDescriptions.Any(p => p.Source == BindingSource.Query && p.Type is { } type && (Nullable.GetUnderlyingType(type) ?? type) != typeof(string)))
        {
            await AddProblemAsync(operation, StatusCodes.Status400BadRequest, typeof(ValidationProblem), context, cancellationToken);
            Because(StatusCodes.Status400BadRequest, "A query parameter is not of its type (a number, an id); the error names it.");
        }

        if (required is not null)
        {
            await AddProblemAsync(operation, StatusCodes.Status401Unauthorized, typeof(Problem), context, cancellationToken);
            Because(StatusCodes.Status401Unauthorized, "No valid bearer token; API routes never redirect to a sign-in page.");
            await AddProblemAsync(operation, StatusCodes.Status403Forbidden, typeof(Problem), context, cancellationToken);
            Because(StatusCodes.Status403Forbidden, required.Capability == Capability.ReadZone
                ? "The token does not carry the scope zone.read."
                : "The token has no right to this in the route's region.");
        }

        if (hasTenant)
        {
            await AddProblemAsync(operation, StatusCodes.Status404NotFound, typeof(Problem), context, cancellationToken);
            Because(StatusCodes.Status404NotFound, "No region has the id or division code in {tenant}.");
        }

        if (metadata.OfType<IAcceptsMetadata>().Any())
        {
            await AddProblemAsync(operation, StatusCodes.Status413PayloadTooLarge, typeof(Problem), context, cancellationToken);
            Because(StatusCodes.Status413PayloadTooLarge, "The body is over the deployment's limit (Limits:MaxRequestBodyBytes, 1 MiB by default).");
            await AddProblemAsync(operation, StatusCodes.Status415UnsupportedMediaType, typeof(Problem), context, cancellationToken);
            Because(StatusCodes.Status415UnsupportedMediaType, "The body is not sent as JSON in UTF-8.");
        }

        var limited = await AddProblemAsync(operation, StatusCodes.Status429TooManyRequests, typeof(Problem), context, cancellationToken);
        Because(StatusCodes.Status429TooManyRequests, "Over the client's or the region's rate; retry after Retry-After.");
        AddHeader(limited, "Retry-After", "Seconds to wait before trying again.", JsonSchemaType.Integer);

        foreach (var (status, why) in reasons)
        {
            if (operation.Responses.TryGetValue(Key(status), out var found) && found is OpenApiResponse response)
            {
                var phrase = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
                response.Description = why.Count == 0 ? phrase : phrase + ". " + string.Join(" ", why);
            }
        }

        var headers = metadata.OfType<DeclaredHeader>().ToList();
        foreach (var header in headers)
        {
            if (operation.Responses.TryGetValue(Key(header.StatusCode), out var found) && found is OpenApiResponse response)
            {
                // Required when every body the status may come with carries it.
                var bodies = declared.Where(m => m.StatusCode == header.StatusCode && m.Type is not null).Select(m => m.Type).Distinct().ToList();
                var always = header.Required && (header.With is null || bodies.All(b => headers.Any(h => h.StatusCode == header.StatusCode && h.Name == header.Name && h.With == b)));
                AddHeader(response, header.Name, header.Description, JsonSchemaType.String, always);
            }
        }

        // In the order of their statuses, whoever declared them.
        var ordered = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in ordered)
        {
            operation.Responses[status] = response;
        }

        OpenApiExamples.Apply(operation, context);
    }

    private static OpenApiSecurityRequirement Requirement(OpenApiDocument document, string scope) =>
        new() { [new OpenApiSecuritySchemeReference(SecurityScheme, document)] = [scope] };

    /// <summary>Every parameter of the route is in the operation: <c>{tenant}</c>, which no handler binds, with what it names.</summary>
    private static void DeclarePathParameters(OpenApiOperation operation, RoutePattern route)
    {
        operation.Parameters ??= [];
        var position = 0;
        foreach (var parameter in route.Parameters)
        {
            var declared = operation.Parameters.FirstOrDefault(p => p.In == ParameterLocation.Path && p.Name == parameter.Name);
            if (declared is null)
            {
                declared = new OpenApiParameter
                {
                    Name = parameter.Name,
                    In = ParameterLocation.Path,
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
                operation.Parameters.Insert(position, declared);
            }

            position++;
            if (declared is OpenApiParameter own && own.Description is null)
            {
                own.Description = PathParameterDescription(parameter.Name, route.RawText ?? "");
            }
        }
    }

    private static string? PathParameterDescription(string name, string route) => name switch
    {
        TenantResolution.RouteParameter => "The region: its id (a dotted pinyin path such as fujian.xiamen.haicang) or its GB/T 2260 division code (350205), answered alike.",
        "code" when route.Contains("/matters/", StringComparison.Ordinal) => "The matter's code, unique within the region.",
        "code" when route.Contains("/templates/", StringComparison.Ordinal) => "The standard's code (the bundle the region offers as a template).",
        "code" => "The bundle's code, unique within the region (an adopter keeps its standard's code).",
        "version" => "The approved version's number: 1, 2 …",
        "userName" => "The account's user name.",
        "role" => "The role: admin, editor, reviewer, auditor or officer.",
        "id" when route.Contains("/publications/", StringComparison.Ordinal) => "The publication's id (pub_…), as the feed gives it.",
        "id" when route.Contains("/publishing-runs/", StringComparison.Ordinal) => "The run's id, as the Location of publish-now gives it.",
        "id" when route.Contains("/dead-letters/", StringComparison.Ordinal) => "The dead letter's id, as the list of dead letters gives it.",
        "id" when route.Contains("/account-changes/", StringComparison.Ordinal) => "The account change's id, as its proposal's Location gives it.",
        _ => null,
    };

    /// <summary>
    /// The conditional request headers a route reads: If-None-Match where it answers 304, If-Match where it answers 412
    /// or 428 (required in effect: without it the answer is 428, except where a write creates what does not exist yet).
    /// </summary>
    private static void DeclarePreconditions(OpenApiOperation operation, IReadOnlySet<int> statuses)
    {
        operation.Parameters ??= [];
        if (statuses.Contains(StatusCodes.Status304NotModified))
        {
            operation.Parameters.Add(Header("If-None-Match", "The ETag of the copy the reader has: 304 without a body when it is still current.", required: false));
        }

        if (statuses.Contains(StatusCodes.Status428PreconditionRequired))
        {
            operation.Parameters.Add(Header("If-Match", "The ETag of what was read: 428 without it (a review move must name one, '*' names none), 412 when it is no longer current.", required: false));
        }
    }

    private static OpenApiParameter Header(string name, string description, bool required = true, string? pattern = null) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Required = required,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = pattern },
    };

    private static void DescribePaging(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>() ?? [])
        {
            if (parameter.In != ParameterLocation.Query)
            {
                continue;
            }

            if (parameter.Name == "limit")
            {
                parameter.Description ??= $"How many items a page holds: 1 to {Paging.MaxLimit}, {Paging.DefaultLimit} when absent.";
                if (parameter.Schema is OpenApiSchema schema)
                {
                    schema.Minimum = "1";
                    schema.Maximum = Paging.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    schema.Default = JsonValue.Create(Paging.DefaultLimit);
                }
            }
            else if (parameter.Name == "cursor")
            {
                parameter.Description ??= "Where the page starts: the previous page's 'next', unchanged; absent for the first page.";
            }
        }
    }

    private static string Key(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The response of a status the pipeline may answer with a problem, added unless a typed result declared it.</summary>
    private static async Task<OpenApiResponse> AddProblemAsync(OpenApiOperation operation, int status, Type schema, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.Responses!.TryGetValue(Key(status), out var existing) && existing is OpenApiResponse response)
        {
            return response;
        }

        response = new OpenApiResponse
        {
            Content = new Dictionary<string, OpenApiMediaType> { [MediaTypes.Problem] = new() { Schema = await ReferenceAsync(schema, context, cancellationToken) } },
        };
        operation.Responses[Key(status)] = response;
        return response;
    }

    /// <summary>
    /// The bodies of one status as its typed results declare them. A problem of a more specific kind wins over the plain
    /// one (its extra members are optional); two kinds of document (approving a withdrawal gives the working copy,
    /// approving a change the new version) are each possible.
    /// </summary>
    private static async Task DescribeBodiesAsync(OpenApiResponse response, IEnumerable<IProducesResponseTypeMetadata> declared, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var media in declared.Where(m => m.Type is not null && m.Type != typeof(void)).SelectMany(m => m.ContentTypes.Select(c => (ContentType: c, Type: m.Type!))).GroupBy(m => m.ContentType))
        {
            var types = media.Select(m => m.Type).Distinct().ToList();
            if (types.Count > 1 && types.All(t => typeof(Problem).IsAssignableFrom(t)))
            {
                types = types.Where(t => t != typeof(Problem)).ToList();
            }

            IOpenApiSchema schema;
            if (types.Count == 1)
            {
                schema = await ReferenceAsync(types[0], context, cancellationToken);
            }
            else
            {
                var choices = new List<IOpenApiSchema>();
                foreach (var type in types)
                {
                    choices.Add(await ReferenceAsync(type, context, cancellationToken));
                }

                schema = new OpenApiSchema { OneOf = choices };
            }

            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            response.Content[media.Key] = new OpenApiMediaType { Schema = schema };
        }
    }

    /// <summary>A reference to the schema component of <paramref name="type"/> (an array of references for a list), adding the component when no route has yet.</summary>
    private static async Task<IOpenApiSchema> ReferenceAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (type == typeof(byte[]))
        {
            // A file, sent and answered as its own bytes (a material's file), not as JSON.
            return new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        }

        var json = context.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var info = json.GetTypeInfo(type);
        if (info.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Enumerable)
        {
            return new OpenApiSchema { Type = JsonSchemaType.Array, Items = await ReferenceAsync(info.ElementType!, context, cancellationToken) };
        }

        var id = OpenApiOptions.CreateDefaultSchemaReferenceId(info) ?? throw new InvalidOperationException($"{type.Name} has no schema component.");
        // Made at the end (Referenced), when every route's own schemas are in the document.
        Referenced.TryAdd(id, type);
        await Task.CompletedTask;
        return new OpenApiSchemaReference(id, context.Document!);
    }

    private static void AddHeader(OpenApiResponse response, string name, string description, JsonSchemaType type, bool required = true)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Required = required, Schema = new OpenApiSchema { Type = type } };
    }

    private static void TransformSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(Text))
        {
            // The converter writes a text by hand, so the exporter sees nothing of its shape.
            schema.Type = JsonSchemaType.Object;
            schema.Description = "A text in Chinese with its English translation when there is one. Responses always write it as this object, 'en' absent without a translation; a request may also send a plain string (Chinese only).";
            schema.Required = new HashSet<string> { "zh" };
            schema.Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["zh"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The text in Chinese." },
                ["en"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Its English translation; absent (or null) when there is none." },
            };
            schema.AdditionalPropertiesAllowed = false;
            return;
        }

        // Numbers are written as numbers; that a request may also send one as a string is the reader's leniency, not the contract.
        if (schema.Type is { } kind && kind.HasFlag(JsonSchemaType.Integer) && kind.HasFlag(JsonSchemaType.String))
        {
            schema.Type = kind & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        if (type == typeof(JsonNode))
        {
            schema.Description = AnyJson;
        }

        if (typeof(Problem).IsAssignableFrom(type))
        {
            // A problem may carry members of its own kind beside these (RFC 9457 extensions).
            schema.AdditionalPropertiesAllowed = true;
            schema.AdditionalProperties = null;
            schema.Required ??= new HashSet<string>();
            schema.Required.Add("status");
            schema.Required.Add("title");
        }

        foreach (var property in context.JsonTypeInfo.Properties)
        {
            // A value that may be null is left out by the catalogue's writer: the property is not required.
            if (property.IsGetNullable)
            {
                schema.Required?.Remove(property.Name);
            }

            // Kept as JSON at run time (its bytes are the approved ones), described as the document it is once every
            // component is in the document (a reference made here would be resolved into a copy).
            if (property.AttributeProvider?.GetCustomAttributes(typeof(SchemaOfAttribute), false).OfType<SchemaOfAttribute>().FirstOrDefault() is { } of &&
                OpenApiOptions.CreateDefaultSchemaReferenceId(context.JsonTypeInfo) is { } owner)
            {
                KeptAsJson[(owner, property.Name)] = (OpenApiOptions.CreateDefaultSchemaReferenceId(property.Options.GetTypeInfo(of.Type))!, property.IsGetNullable);
            }
        }
    }
}

/// <summary>Marks a public route that answers more to a caller with this capability (and then reads a token when one is sent).</summary>
public sealed record OptionalSignIn(Capability Capability);

/// <summary>A member kept as JSON at run time, described in the OpenAPI document as the document it holds.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SchemaOfAttribute(Type type) : Attribute
{
    public Type Type => type;
}

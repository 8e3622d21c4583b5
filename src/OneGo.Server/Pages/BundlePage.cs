using OneGo.Catalogue;
using OneGo.Server.Features.Tenants;

namespace OneGo.Server.Pages;

/// <summary>
/// The scenario answers of a bundle page's questionnaire, as the form sends them: <c>q.{questionId}={optionId}</c>,
/// plus <c>answered=1</c> so that a form sent with nothing chosen is told what is missing.
/// </summary>
internal sealed record Questionnaire(IReadOnlyDictionary<string, string> Answers, bool Submitted)
{
    public const string Prefix = "q.";
    public const string SubmittedField = "answered";

    public static Questionnaire Read(IQueryCollection query)
    {
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            if (key.StartsWith(Prefix, StringComparison.Ordinal) && key.Length > Prefix.Length && values.ToString() is { Length: > 0 } option)
            {
                answers[key[Prefix.Length..]] = option;
            }
        }

        return new Questionnaire(answers, query.ContainsKey(SubmittedField) || answers.Count > 0);
    }
}

/// <summary>Everything the bundle page shows: the live bundle, the answers given, and the guide or why there is none.</summary>
internal sealed record BundleView(RegionInfo Region, EffectiveBundle Bundle, Questionnaire Questionnaire, GuideResult? Result, string? RegionPhone);

/// <summary>
/// <c>/regions/{tenant}/bundles/{code}</c>: one live bundle — its matters, its reductions as a chart, its
/// questionnaire — and, once answered, the personalised guide, printable on its own.
/// </summary>
internal static class BundlePage
{
    public static Html Render(PageRequest page, BundleView view, IReadOnlyList<(string Href, Html Name)> trail)
    {
        var bundle = view.Bundle;
        var guide = view.Result?.Guide;
        var main = Html.Of($"""
            <h1>{page.Text(bundle.Name)}</h1>
            <p class="lead">{page.Name(view.Region)} · {page.Of(bundle.Audience)} · {page.Of(bundle.Theme)}</p>
            {(bundle.GuideText is { } text ? Html.Of($"<p class=\"guide-text\">{page.Text(text)}</p>") : Html.Empty)}
            <dl class="facts">
            <div><dt>{page.T("牵头部门", "Lead department")}</dt><dd>{page.Chinese(bundle.LeadDepartment)}</dd></div>
            <div><dt>{page.T("承诺时限", "Promised time")}</dt><dd>{page.Days(bundle.PromisedDays)}</dd></div>
            <div><dt>{page.T("申报方式", "How to apply")}</dt><dd>{page.List(bundle.Channels.Select(page.Of))}</dd></div>
            <div><dt>{page.T("结果送达", "Results")}</dt><dd>{page.List(bundle.ResultDelivery.Select(page.Of))}</dd></div>
            </dl>
            {Matters(page, bundle)}
            {Chart(page, "reductions", page.T("一件事办理与逐项办理相比", "In one go, compared with one matter at a time"), bundle.Reductions)}
            {Questions(page, view)}
            {(guide is null ? Html.Empty : Guide(page, view, guide))}
            """);
        return Layout.Document(page, page.English ? bundle.Name.En ?? bundle.Name.Zh : bundle.Name.Zh, trail, main);
    }

    /// <summary>The matters the bundle combines, in the order departments take them up (a matter after those it waits for).</summary>
    private static Html Matters(PageRequest page, EffectiveBundle bundle)
    {
        var steps = bundle.Steps.ToDictionary(s => s.Code, StringComparer.Ordinal);
        var names = bundle.Matters.ToDictionary(m => m.Code, m => m.Name, StringComparer.Ordinal);
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        int Depth(string code)
        {
            if (depth.TryGetValue(code, out var known))
            {
                return known;
            }

            // The matter order is a validated DAG, so this recursion ends.
            var after = steps.TryGetValue(code, out var step) ? step.After : [];
            return depth[code] = after.Count == 0 ? 0 : 1 + after.Max(Depth);
        }

        // On a phone each row becomes a card, and each cell says what it is (data-label, shown by the stylesheet).
        var (department, promised, tripsAlone) = (page.T("实施部门", "Department"), page.T("承诺时限", "Promised time"), page.T("单独办理跑动次数", "Trips when done alone"));
        var rows = bundle.Matters.OrderBy(m => Depth(m.Code)).ThenBy(m => m.Code, StringComparer.Ordinal).Select(m =>
        {
            var after = steps.TryGetValue(m.Code, out var step) ? step.After : [];
            var waits = after.Count == 0
                ? Html.Empty
                : Html.Of($"<br><span class=\"after\">{page.T("在以下事项之后办理：", "After: ")}{Html.Join(after.Select((a, i) => Html.Of($"{(i == 0 ? "" : page.T("、", ", "))}{(names.TryGetValue(a, out var n) ? page.Text(n) : Html.Text(a))}")))}</span>");
            return Html.Of($"""
                <tr data-matter="{m.Code}"><th scope="row">{page.Text(m.Name)}{waits}</th><td data-label="{department}">{page.Chinese(m.Department ?? "")}</td><td data-label="{promised}">{(m.PromisedDays is { } days ? page.Days(days) : "—")}</td><td class="number" data-label="{tripsAlone}">{m.TripsAlone}</td></tr>
                """);
        });
        return Html.Of($"""
            <section class="matters" aria-labelledby="matters-heading">
            <h2 id="matters-heading">{page.T("一次办好这些事项", "The matters done in one go")}</h2>
            <div class="table-wrap">
            <table id="matters">
            <thead><tr><th scope="col">{page.T("事项", "Matter")}</th><th scope="col">{department}</th><th scope="col">{promised}</th><th scope="col">{tripsAlone}</th></tr></thead>
            <tbody>{rows}</tbody>
            </table>
            </div>
            </section>
            """);
    }

    /// <summary>
    /// 减环节、减时间、减材料、减跑动 as a bar chart: for each measure a bar for the matters one by one and one for the
    /// bundle, drawn with inline SVG (attributes only, so the page needs no inline style) and with the numbers as text.
    /// </summary>
    private static Html Chart(PageRequest page, string id, string caption, Reductions reductions)
    {
        (string Key, string Label, int Before, int After)[] measures =
        [
            ("steps", page.T("环节（个）", "Steps"), reductions.Before.Steps, reductions.After.Steps),
            ("days", page.T("时间（工作日）", "Working days"), reductions.Before.Days, reductions.After.Days),
            ("materials", page.T("提交材料（份）", "Materials to submit"), reductions.Before.Materials, reductions.After.Materials),
            ("trips", page.T("跑动（次）", "Trips"), reductions.Before.Trips, reductions.After.Trips),
        ];
        var items = measures.Select(m => Html.Of($"""
            <div class="measure" data-measure="{m.Key}" data-before="{m.Before}" data-after="{m.After}">
            <dt>{m.Label}</dt>
            <dd>
            {Bar(page.T("逐项办理", "One by one"), "before", m.Before, Math.Max(m.Before, m.After))}
            {Bar(page.T("一件事", "In one go"), "after", m.After, Math.Max(m.Before, m.After))}
            <span class="saving">{Saving(page, m.Before, m.After)}</span>
            </dd>
            </div>
            """));
        return Html.Of($"""
            <section class="reductions" aria-labelledby="{id}-heading">
            <h2 id="{id}-heading">{page.T("减环节　减时间　减材料　减跑动", "Fewer steps, days, materials and trips")}</h2>
            <figure id="{id}">
            <figcaption>{caption}</figcaption>
            <dl class="chart">{items}</dl>
            </figure>
            </section>
            """);
    }

    private static Html Bar(string label, string kind, int value, int max)
    {
        // A bar's length is its share of the larger of the two; a value above zero always shows a sliver.
        var width = max == 0 ? 0 : Math.Max(value == 0 ? 0 : 2, value * 100 / max);
        return Html.Of($"""
            <span class="bar-row"><span class="bar-label">{label}</span><svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="{kind}" x="0" y="0" width="{width}" height="10"></rect></svg><span class="bar-value">{value}</span></span>
            """);
    }

    private static string Saving(PageRequest page, int before, int after)
    {
        if (before <= after)
        {
            return page.T("不变", "no change");
        }

        var percent = (before - after) * 100 / before;
        return page.English ? $"{before - after} fewer ({percent}%)" : $"减少 {before - after}（{percent}%）";
    }

    private static Html Questions(PageRequest page, BundleView view)
    {
        var bundle = view.Bundle;
        if (bundle.Scenarios.Count == 0)
        {
            return Html.Empty;
        }

        var errors = view.Result?.Errors ?? [];
        var byQuestion = bundle.Scenarios.ToDictionary(
            q => q.Id,
            q => errors.FirstOrDefault(e => e.Pointer == Pointer.Of("answers", q.Id)),
            StringComparer.Ordinal);
        // Errors that name no question of the bundle (an answer to a question it does not ask) are said above the form.
        var unplaced = errors.Where(e => !byQuestion.Values.Contains(e)).ToList();
        var summary = errors.Count == 0 ? Html.Empty : Html.Of($"""
            <div id="guide" class="error-summary" role="alert">
            <p>{page.T("还不能生成指南：请检查下面标出的问题。", "Your guide cannot be made yet: please check the questions marked below.")}</p>
            {(unplaced.Count == 0 ? Html.Empty : Html.Of($"<ul>{unplaced.Select(e => Html.Of($"<li>{page.T($"这件事不问“{Unpointed(e.Pointer)}”；请回答下面的问题。", $"This service does not ask “{Unpointed(e.Pointer)}”; answer the questions below.")}</li>"))}</ul>"))}
            </div>
            """);
        var fieldsets = bundle.Scenarios.Select(q => Question(page, q, view.Questionnaire.Answers.GetValueOrDefault(q.Id), byQuestion[q.Id]));
        return Html.Of($"""
            <section class="questionnaire" aria-labelledby="questions-heading">
            <h2 id="questions-heading">{page.T("回答问题，生成您的办事指南", "Answer the questions for your own guide")}</h2>
            {summary}
            <form method="get" action="{Links.Bundle(view.Region, bundle.Code)}#guide">
            <input type="hidden" name="{Questionnaire.SubmittedField}" value="1">
            <input type="hidden" name="{PageRequest.LanguageParameter}" value="{(page.English ? "en" : "zh")}">
            {fieldsets}
            <button type="submit">{page.T("生成办事指南", "Show my guide")}</button>
            </form>
            </section>
            """);
    }

    private static string Unpointed(string pointer) => pointer.StartsWith("/answers/", StringComparison.Ordinal) ? pointer["/answers/".Length..] : pointer;

    private static Html Question(PageRequest page, Question question, string? answer, CatalogueError? error)
    {
        var errorId = "error-" + question.Id;
        var message = error?.Rule switch
        {
            null => null,
            ErrorRule.Required => page.T("请回答这个问题：选择一项。", "Please answer this question: choose one option."),
            ErrorRule.UnknownOption => page.T("您的回答不是这个问题的选项，请重新选择一项。", "That answer is not one of this question's options; choose one of them."),
            _ => page.T("请重新回答这个问题。", "Please answer this question again."),
        };
        var options = question.Options.Select(o =>
        {
            var id = $"q-{question.Id}-{o.Id}";
            var name = Questionnaire.Prefix + question.Id;
            return o.Id == answer
                ? Html.Of($"<div class=\"option\"><input type=\"radio\" id=\"{id}\" name=\"{name}\" value=\"{o.Id}\" checked><label for=\"{id}\">{page.Text(o.Label)}</label></div>")
                : Html.Of($"<div class=\"option\"><input type=\"radio\" id=\"{id}\" name=\"{name}\" value=\"{o.Id}\"><label for=\"{id}\">{page.Text(o.Label)}</label></div>");
        });
        return Html.Of($"""
            <fieldset id="question-{question.Id}" class="{(message is null ? "question" : "question invalid")}"{(message is null ? Html.Empty : Html.Of($" aria-describedby=\"{errorId}\""))}>
            <legend>{page.Text(question.Text)}{(question.Required ? Html.Of($"<span class=\"required\">{page.T("（必答）", " (required)")}</span>") : Html.Empty)}</legend>
            {(message is null ? Html.Empty : Html.Of($"<p class=\"error\" id=\"{errorId}\">{message}</p>"))}
            {options}
            </fieldset>
            """);
    }

    private static Html Guide(PageRequest page, BundleView view, Guide guide)
    {
        var bundle = view.Bundle;
        var matterNames = bundle.Matters.ToDictionary(m => m.Code, m => m.Name, StringComparer.Ordinal);
        Html MatterName(string code) => matterNames.TryGetValue(code, out var name) ? page.Text(name) : Html.Text(code);
        var situation = guide.Answers.Count == 0
            ? Html.Empty
            : Html.Of($"<p class=\"situation\">{page.T("您的情形：", "Your situation: ")}{Html.Join(guide.Answers.Select((a, i) => Html.Of($"{(i == 0 ? "" : page.T("；", "; "))}{page.Text(a.QuestionText)}{page.T("：", ": ")}<strong>{page.Text(a.OptionLabel)}</strong>")))}</p>");
        var where = bundle.ServiceLocation;
        var contact = where?.Contact ?? view.RegionPhone;
        return Html.Of($"""
            <section id="guide" class="guide" aria-labelledby="guide-heading">
            <h2 id="guide-heading">{page.T("您的办事指南", "Your guide")}</h2>
            <p class="print-note">{page.T("打印本页即可留存这份指南：打印时问卷不会印出。", "Print this page to keep your guide: the questions are left out of the print.")}</p>
            {situation}
            <dl class="facts">
            <div><dt>{page.T("办理时限", "Time limit")}</dt><dd data-fact="days" data-value="{guide.PromisedDays}">{page.Days(guide.PromisedDays)}</dd></div>
            <div><dt>{page.T("跑动次数", "Trips")}</dt><dd data-fact="trips" data-value="{guide.Trips}">{page.Trips(guide.Trips)}</dd></div>
            <div><dt>{page.T("申报方式", "How to apply")}</dt><dd>{page.List(guide.Channels.Select(page.Of))}</dd></div>
            <div><dt>{page.T("结果送达", "Results")}</dt><dd>{page.List(guide.ResultDelivery.Select(page.Of))}</dd></div>
            </dl>
            {Materials(page, "bring", page.T("需要您提交的材料", "What to bring"), guide.Bring, page.T("无需提交任何材料。", "Nothing to bring."), m => Html.Of($"<span class=\"source\">{page.T("请您提交或上传。", "You bring or upload it.")}</span>"))}
            {Materials(page, "fetched", page.T("为您调取、无需提交的材料（数据共享）", "Fetched for you: nothing to submit (data sharing)"), guide.FetchedForYou, page.T("无。", "None."), m => Html.Of($"<span class=\"source\">{page.T("来源：", "Source: ")}{page.Chinese(m.Source.Department ?? "")}{(m.Source.Dataset is { } dataset ? Html.Of($"{page.T("（", " (")}{page.Chinese(dataset)}{page.T("）", ")")}") : Html.Empty)}</span>"))}
            {Materials(page, "commitment", page.T("签署告知承诺书即可代替的材料（告知承诺）", "Replaced by your signed commitment (告知承诺)"), guide.ByCommitment, page.T("无。", "None."), m => Html.Of($"<span class=\"source\">{page.T("签署告知承诺书代替此证明。", "Your signed commitment replaces this proof.")}</span>"))}
            {Materials(page, "issued", page.T("办理中由本件事的其他事项出具的材料", "Issued on the way by another matter of this service"), guide.IssuedInBundle, page.T("无。", "None."), m => Html.Of($"<span class=\"source\">{page.T("出具事项：", "Issued by: ")}{MatterName(m.Source.Matter ?? "")}</span>"))}
            {Materials(page, "later", page.T("可容缺受理、受理后补交的材料（容缺受理）", "May follow after acceptance (容缺受理)"), guide.MayFollowLater, page.T("无。", "None."), m => Html.Of($"<span class=\"source\">{page.T("可先受理，之后补交。", "Your application is accepted without it; supply it later.")}</span>"))}
            <h3 id="guide-matters-heading">{page.T("为您办理的事项", "The matters done for you")}</h3>
            <ul class="items" id="guide-matters">{guide.Matters.Select(m => Html.Of($"""
                <li data-matter="{m.Code}"><strong>{page.Text(m.Name)}</strong> <span class="source">{page.Chinese(m.Department)} · {page.Days(m.PromisedDays)}</span><span class="why">{page.Text(m.Why.Message)}</span></li>
                """))}</ul>
            {(guide.Form.Count == 0 ? Html.Empty : Html.Of($"""
                <h3 id="guide-form-heading">{page.T("一表申请：您只需填写一次", "One form: you fill these in once")}</h3>
                <ul class="form-fields" id="guide-form">{guide.Form.Select(f => Html.Of($"<li data-field=\"{f.Code}\">{page.Text(f.Label)}</li>"))}</ul>
                """))}
            <h3 id="where-heading">{page.T("在哪里办", "Where to go")}</h3>
            <dl class="where" id="where">
            <div><dt>{page.T("牵头部门", "Lead department")}</dt><dd>{page.Chinese(bundle.LeadDepartment)}</dd></div>
            {(where?.Address is { } address ? Html.Of($"<div><dt>{page.T("地址", "Address")}</dt><dd>{page.Text(address)}</dd></div>") : Html.Empty)}
            {(where?.Hours is { } hours ? Html.Of($"<div><dt>{page.T("办公时间", "Opening hours")}</dt><dd>{page.Text(hours)}</dd></div>") : Html.Empty)}
            {(contact is null ? Html.Empty : Html.Of($"<div><dt>{page.T("咨询电话", "Enquiries")}</dt><dd>{contact}</dd></div>"))}
            </dl>
            {Chart(page, "guide-reductions", page.T("按您的情形，与逐项办理相比", "For your situation, compared with one matter at a time"), guide.Reductions)}
            </section>
            """);
    }

    /// <summary>One group of the guide's materials, each with where it comes from and why it is there.</summary>
    private static Html Materials(PageRequest page, string id, string heading, IReadOnlyList<GuideMaterial> materials, string none, Func<GuideMaterial, Html> source)
    {
        var body = materials.Count == 0
            ? Html.Of($"<p class=\"none\">{none}</p>")
            : Html.Of($"""
                <ul class="items">{materials.Select(m => Html.Of($"""
                    <li data-material="{m.Code}"><strong>{page.Text(m.Name)}</strong> <span class="kind">{page.T("（", "(")}{page.Of(m.Kind)}{page.T("）", ")")}</span>{source(m)}<span class="why">{page.Text(m.Why.Message)}</span></li>
                    """))}</ul>
                """);
        return Html.Of($"""
            <section class="materials" id="{id}" aria-labelledby="{id}-heading">
            <h3 id="{id}-heading">{heading}</h3>
            {body}
            </section>
            """);
    }
}

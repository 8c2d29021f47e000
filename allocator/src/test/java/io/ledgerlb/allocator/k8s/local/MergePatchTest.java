package io.ledgerlb.allocator.k8s.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class MergePatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonMergePatchReplacesListsAndRemovesNulls() throws Exception {
        JsonNode merged = MergePatch.apply(json("{'spec':{'addresses':['a','b'],'autoAssign':true},'x':1}"),
                json("{'spec':{'addresses':['c'],'autoAssign':null}}"));

        assertThat(merged).isEqualTo(json("{'spec':{'addresses':['c']},'x':1}"));
    }

    @Test
    void strategicPatchMergesListsByTheKeyOfTheirElementOrder() throws Exception {
        JsonNode current = json("{'spec':{'ports':[{'port':80,'protocol':'TCP','nodePort':30080},"
                + "{'port':443,'protocol':'TCP'}],'type':'LoadBalancer'}}");
        JsonNode patch = json("{'spec':{'$setElementOrder/ports':[{'port':80},{'port':8443}],"
                + "'ports':[{'port':8443,'protocol':'TCP'},{'$patch':'delete','port':443}]}}");

        JsonNode merged = MergePatch.apply(current, patch);

        assertThat(merged).isEqualTo(json("{'spec':{'ports':[{'port':80,'protocol':'TCP','nodePort':30080},"
                + "{'port':8443,'protocol':'TCP'}],'type':'LoadBalancer'}}"));
    }

    @Test
    void directivesReplaceRetainAndDeleteFromPrimitiveLists() throws Exception {
        JsonNode current = json("{'a':{'x':1,'y':2},'b':{'p':1,'q':2},'f':['one','two','three']}");
        JsonNode patch = json("{'a':{'$patch':'replace','z':3},'b':{'$retainKeys':['q'],'q':5},"
                + "'$deleteFromPrimitiveList/f':['two'],'$setElementOrder/f':['three','one']}");

        assertThat(MergePatch.apply(current, patch)).isEqualTo(json("{'a':{'z':3},'b':{'q':5},'f':['three','one']}"));
    }

    private static JsonNode json(String singleQuoted) throws Exception {
        return JSON.readTree(singleQuoted.replace('\'', '"'));
    }
}
